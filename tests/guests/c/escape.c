// Every way out of the sandbox's tree a C program might try: climbing above the root, absolute
// paths, and symlinks (seeded or made here) that point out. Each attempt prints errno.
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static void try_read(const char *path) {
    FILE *f = fopen(path, "r");
    if (!f) {
        printf("read %s: errno %d (%s)\n", path, errno, strerror(errno));
        return;
    }
    char text[64];
    size_t n = fread(text, 1, sizeof text - 1, f);
    text[n] = 0;
    fclose(f);
    printf("read %s: \"%s\"\n", path, text);
}

int main(void) {
    try_read("../../etc/passwd");
    try_read("/etc/passwd");
    try_read("/../etc/passwd");
    try_read("host-link");
    try_read("sub/up-link");
    try_read("sub/inside-link");

    DIR *dir = opendir("..");
    printf("opendir ..: %s\n", dir ? "opened" : strerror(errno));
    if (dir) closedir(dir);

    FILE *f = fopen("../outside.txt", "w");
    printf("write ../outside.txt: %s\n", f ? "opened" : strerror(errno));
    if (f) fclose(f);

    int made = symlink("/etc/hostname", "new-abs-link");
    printf("symlink -> /etc/hostname: %s\n", made == 0 ? "made" : strerror(errno));
    made = symlink("../../etc/hostname", "sub/climb");
    printf("symlink sub/climb -> ../../etc/hostname: %s\n", made == 0 ? "made" : strerror(errno));
    try_read("sub/climb");

    // Changing directory does not change where the root is.
    chdir("sub");
    try_read("../inside.txt");
    try_read("../../etc/passwd");
    printf("chdir ../..: %s\n", chdir("../..") == 0 ? "ok" : strerror(errno));
    char cwd[64];
    printf("cwd: %s\n", getcwd(cwd, sizeof cwd) ? cwd : strerror(errno));
    return 0;
}
