/* image.c — to be written */
