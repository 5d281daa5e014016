// The classic `rm -rf` loop: list a directory with readdir and unlink each entry as it comes,
// then remove the directory. wasi-libc's readdir fetches entries a buffer at a time and resumes
// from a cookie, so the listing must not skip entries because earlier ones were removed.
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int main(int argc, char **argv) {
    int count = argc > 1 ? atoi(argv[1]) : 0;
    char path[64];
    mkdir("d", 0755);
    for (int i = 0; i < count; i++) {
        snprintf(path, sizeof path, "d/file-%04d", i);
        fclose(fopen(path, "w"));
    }
    DIR *dir = opendir("d");
    struct dirent *entry;
    int seen = 0, removed = 0;
    while ((entry = readdir(dir))) {
        if (!strcmp(entry->d_name, ".") || !strcmp(entry->d_name, "..")) continue;
        seen++;
        snprintf(path, sizeof path, "d/%s", entry->d_name);
        if (unlink(path) == 0) removed++;
    }
    closedir(dir);
    printf("created %d, listed %d, removed %d\n", count, seen, removed);
    printf("rmdir d: %s\n", rmdir("d") == 0 ? "ok" : strerror(errno));
    return 0;
}
