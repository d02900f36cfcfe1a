/* network.c — to be written */
