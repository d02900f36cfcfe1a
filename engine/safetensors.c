/* safetensors.c — to be written */
