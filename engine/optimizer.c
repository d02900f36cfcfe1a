/* optimizer.c — to be written */
