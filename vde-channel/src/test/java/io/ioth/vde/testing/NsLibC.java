package io.ioth.vde.testing;

import jnr.ffi.LibraryLoader;

/** The three libc calls {@link NetNs#inside} needs to move a thread into a network namespace. */
public interface NsLibC {
    int O_RDONLY = 0, O_CLOEXEC = 0x80000;
    /** setns(2) nstype for network namespaces. */
    int CLONE_NEWNET = 0x40000000;

    int open(String path, int flags);

    int setns(int fd, int nstype);

    int close(int fd);

    NsLibC INSTANCE = LibraryLoader.create(NsLibC.class).load("c");
}
