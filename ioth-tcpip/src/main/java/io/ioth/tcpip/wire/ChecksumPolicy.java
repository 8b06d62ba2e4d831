package io.ioth.tcpip.wire;

/**
 * Whether {@code Repr.parse} verifies checksums. {@link #IGNORE} exists for fuzzing, so a fuzzer gets past the
 * checksum to the code behind it (smoltcp {@code wire/udp.rs}: verify returns true under {@code cfg!(fuzzing)}).
 * Production code always uses {@link #VERIFY}.
 */
public enum ChecksumPolicy {
    VERIFY,
    IGNORE
}
