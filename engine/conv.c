/* conv.c — to be written */
