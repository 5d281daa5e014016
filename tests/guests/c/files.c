// What a C program does with files through stdio and POSIX calls: read a seeded file, write new
// ones in a new directory, list, stat, rename a directory, remove, and follow a relative
// symlink. Every failure prints errno's name, so the expected errors are visible too.
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "report.h"

static void size(const char *path) {
    struct stat st;
    if (stat(path, &st) != 0) printf("stat %s: %s\n", path, strerror(errno));
    else printf("stat %s: %lld bytes, %s\n", path, (long long)st.st_size,
                S_ISDIR(st.st_mode) ? "directory" : S_ISREG(st.st_mode) ? "file" : "other");
}

// Timestamps come from the virtual wall clock, so they are exact too.
static void mtime(const char *path) {
    struct stat st;
    if (stat(path, &st) != 0) printf("mtime %s: %s\n", path, strerror(errno));
    else printf("mtime %s: %lld.%09ld\n", path, (long long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec);
}

int main(void) {
    char cwd[64];
    printf("cwd: %s\n", getcwd(cwd, sizeof cwd) ? cwd : strerror(errno));
    cat("data/in.txt");
    size("data/in.txt");
    size("data");

    check("mkdir out", mkdir("out", 0755));
    check("mkdir out again", mkdir("out", 0755));
    FILE *f = fopen("out/new.txt", "w");
    fprintf(f, "line %d\n", 1);
    fputs("line 2\n", f);
    fclose(f);
    f = fopen("out/new.txt", "a");
    fwrite("appended\n", 1, 9, f);
    fclose(f);
    cat("out/new.txt");
    size("out/new.txt");
    mtime("data/in.txt");
    mtime("out/new.txt");

    // Seek and overwrite in place, then read back through a raw descriptor.
    int fd = open("out/bytes.bin", O_CREAT | O_RDWR | O_TRUNC, 0644);
    write(fd, "0123456789", 10);
    lseek(fd, 3, SEEK_SET);
    write(fd, "abc", 3);
    char back[11] = {0};
    printf("pread: %zd bytes\n", pread(fd, back, 10, 0));
    printf("bytes.bin: \"%s\", end at %lld\n", back, (long long)lseek(fd, 0, SEEK_END));
    close(fd);
    check("truncate bytes.bin to 4", truncate("out/bytes.bin", 4));
    size("out/bytes.bin");

    ls(".");
    ls("out");
    check("rename out -> moved", rename("out", "moved"));
    cat("out/new.txt");
    cat("moved/new.txt");
    check("rmdir moved", rmdir("moved"));
    check("unlink data/old.txt", unlink("data/old.txt"));
    check("unlink data/old.txt again", unlink("data/old.txt"));

    char target[64];
    ssize_t n = readlink("data/link", target, sizeof target - 1);
    if (n >= 0) target[n] = 0;
    printf("readlink data/link: %s\n", n >= 0 ? target : strerror(errno));
    cat("data/link");
    check("symlink moved/alias -> new.txt", symlink("new.txt", "moved/alias"));
    cat("moved/alias");

    check("chdir data", chdir("data"));
    printf("cwd: %s\n", getcwd(cwd, sizeof cwd) ? cwd : strerror(errno));
    cat("in.txt");
    cat("../moved/new.txt");
    ls(".");
    return 0;
}
