/* pth_import.c — to be written */
