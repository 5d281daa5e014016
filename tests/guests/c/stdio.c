// What a command-line C program is handed and gives back: its arguments, environment
// variables, stdin read to end of file, and text on stdout and stderr.
#include <stdio.h>
#include <stdlib.h>

extern char **environ;

int main(int argc, char **argv) {
    for (int i = 0; i < argc; i++) printf("argv[%d] = \"%s\"\n", i, argv[i]);
    int count = 0;
    for (char **e = environ; *e; e++) count++;
    printf("%d environment variables\n", count);
    const char *greeting = getenv("GREETING");
    printf("GREETING = %s\n", greeting ? greeting : "(unset)");
    const char *home = getenv("HOME");
    printf("HOME = %s\n", home ? home : "(unset)");

    // Small chunks, so a long stdin takes many reads.
    char chunk[7];
    size_t total = 0, lines = 0, n;
    unsigned sum = 0;
    while ((n = fread(chunk, 1, sizeof chunk, stdin)) > 0) {
        for (size_t i = 0; i < n; i++) {
            sum = sum * 31 + (unsigned char)chunk[i];
            if (chunk[i] == '\n') lines++;
        }
        total += n;
    }
    printf("stdin: %zu bytes, %zu lines, hash %08x, eof %d, error %d\n", total, lines, sum,
           feof(stdin), ferror(stdin));
    // At end of file getchar keeps answering EOF.
    printf("getchar after eof: %d\n", getchar());

    puts("puts adds a newline");
    fputs("to stderr via fputs\n", stderr);
    fprintf(stderr, "fprintf(stderr): %d%%\n", 100);
    return 0;
}
