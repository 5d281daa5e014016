// What the file-handling C guests print with: each call's result (errno's text on failure), a
// file's contents, and a directory's names, sorted (readdir's order is the filesystem's
// business), with `/` after directories and `@` after symlinks.
#ifndef REPORT_H
#define REPORT_H

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void check(const char *what, int result) {
    if (result == 0) printf("%s: ok\n", what);
    else printf("%s: %s\n", what, strerror(errno));
}

static void cat(const char *path) {
    FILE *f = fopen(path, "r");
    if (!f) {
        printf("cat %s: %s\n", path, strerror(errno));
        return;
    }
    char text[256];
    size_t n = fread(text, 1, sizeof text - 1, f);
    text[n] = 0;
    fclose(f);
    printf("cat %s: \"%s\"\n", path, text);
}

static int by_name(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void ls(const char *path) {
    DIR *dir = opendir(path);
    if (!dir) {
        printf("ls %s: %s\n", path, strerror(errno));
        return;
    }
    char *names[64];
    size_t count = 0;
    struct dirent *entry;
    while ((entry = readdir(dir)) && count < 64) {
        const char *suffix = entry->d_type == DT_DIR ? "/" : entry->d_type == DT_LNK ? "@" : "";
        char *name = malloc(strlen(entry->d_name) + 2);
        sprintf(name, "%s%s", entry->d_name, suffix);
        names[count++] = name;
    }
    closedir(dir);
    qsort(names, count, sizeof *names, by_name);
    printf("ls %s:", path);
    for (size_t i = 0; i < count; i++) {
        printf(" %s", names[i]);
        free(names[i]);
    }
    printf("\n");
}

#endif
