/* image_ops.c — to be written */
