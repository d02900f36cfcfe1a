/* losses.c — to be written */
