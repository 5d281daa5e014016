// How a C program ends: `exit.wasm HOW N` with HOW one of return, exit, _Exit, abort, assert.
// stdout is line-buffered until its first write finds it is not a terminal, then fully
// buffered; so the first line goes out at once and the second waits in the buffer, showing
// whether stdio is flushed on the way out (it is for return and exit, not for _Exit, abort or
// a failed assert).
#undef NDEBUG // zig cc -O2 defines it, which would compile the assert away
#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void goodbye(void) { printf("atexit handler ran\n"); }

int main(int argc, char **argv) {
    if (argc != 3) return 2;
    const char *how = argv[1];
    int n = atoi(argv[2]);
    atexit(goodbye);
    printf("ending by %s with %d\n", how, n);
    printf("still in the buffer\n");
    fprintf(stderr, "stderr is unbuffered\n");
    if (strcmp(how, "exit") == 0) exit(n);
    if (strcmp(how, "_Exit") == 0) _Exit(n);
    if (strcmp(how, "abort") == 0) abort();
    if (strcmp(how, "assert") == 0) assert(n == 0);
    return n;
}
