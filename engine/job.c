/* job.c — to be written */
