/* to be written */
#include "test_util.h"
int main (void) { printf ("skipped: not written yet\n"); return 77; }
