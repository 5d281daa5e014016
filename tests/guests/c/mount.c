// What a C program sees of a read-only mount at /lib (and of the directory /usr leading to a
// mount at /usr/share/data): reads and listings work; every change fails with the errno a Linux
// read-only mount gives (EROFS inside, EXDEV across its edge, EBUSY for the mount point).
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include "report.h"

int main(void) {
    cat("/lib/a.txt");
    cat("/lib/link");
    cat("/lib/sub/b.txt");
    ls("/lib");
    struct stat st;
    check("stat /lib/a.txt", stat("/lib/a.txt", &st));
    printf("size %lld, mtime %lld\n", (long long)st.st_size, (long long)st.st_mtim.tv_sec);

    check("open /lib/a.txt for writing", open("/lib/a.txt", O_WRONLY) < 0 ? -1 : 0);
    check("open /lib/a.txt to append", open("/lib/a.txt", O_WRONLY | O_APPEND) < 0 ? -1 : 0);
    check("truncate /lib/a.txt", truncate("/lib/a.txt", 0));
    check("create /lib/new.txt", open("/lib/new.txt", O_WRONLY | O_CREAT, 0644) < 0 ? -1 : 0);
    check("mkdir /lib/dir", mkdir("/lib/dir", 0755));
    check("symlink /lib/sym", symlink("a.txt", "/lib/sym"));
    check("unlink /lib/a.txt", unlink("/lib/a.txt"));
    check("rmdir /lib/sub", rmdir("/lib/sub"));
    check("rename inside /lib", rename("/lib/a.txt", "/lib/c.txt"));
    check("rename /lib/a.txt out", rename("/lib/a.txt", "/out.txt"));
    check("rename /mine.txt in", rename("/mine.txt", "/lib/mine.txt"));
    check("link /lib/a.txt out", link("/lib/a.txt", "/linked.txt"));
    check("utimes /lib/a.txt", utimes("/lib/a.txt", NULL));
    check("rmdir /lib", rmdir("/lib"));
    check("rename /lib", rename("/lib", "/lib2"));
    check("rename /usr", rename("/usr", "/usr2"));
    check("rmdir /usr/share", rmdir("/usr/share"));

    // Beside the mounts, the tree is the guest's.
    check("mkdir /usr/bin", mkdir("/usr/bin", 0755));
    FILE *f = fopen("/usr/bin/tool", "w");
    check("write /usr/bin/tool", f && fputs("tool\n", f) >= 0 && fclose(f) == 0 ? 0 : -1);
    ls("/usr");
    ls("/usr/share/data");
    cat("/mine.txt");
    return 0;
}
