package io.ioth.tcpip.wire;

/**
 * Why a parse of untrusted bytes refused a packet. Checked constructors ({@code wrapChecked}, {@code checkLen})
 * and {@code Repr.parse} return one of these instead of throwing: malformed input from the network is a counted
 * drop, never an exception (style.md §3 principle 7; smoltcp {@code wire::Error}).
 * {@link #OK} means the input was accepted. The engine maps each value to its own drop counter.
 *
 * <p>Immutable; safe to share between threads.
 */
public enum WireError {
    /** Accepted. */
    OK,
    /** The buffer ends before the header (or a length field) says it should. */
    TRUNCATED,
    /** A header-length field is smaller than the fixed header (IPv4 IHL &lt; 5, TCP data offset &lt; 5). */
    BAD_HEADER_LEN,
    /** A length field is impossible (IPv4 total length &lt; header length, UDP length &lt; 8). */
    BAD_LENGTH,
    /** The IP version nibble is not the expected one. */
    BAD_VERSION,
    /** The checksum does not verify (or is zero where RFC 8200 §8.1 forbids it). */
    BAD_CHECKSUM,
    /** A well-formed packet of a kind this layer does not handle (ARP for non-Ethernet/IPv4, unknown ICMP type...). */
    UNSUPPORTED,
    /** An option (TCP, NDP) has a zero or too short length, or overruns its area. */
    MALFORMED_OPTION,
    /** An IPv6 extension-header chain is longer than the walker's bound, or hop-by-hop is not first. */
    BAD_EXT_CHAIN,
    /** A field holds a value the RFC forbids (e.g. ICMPv6 NDP code != 0). */
    BAD_FIELD;

    /** @return true for {@link #OK} */
    public boolean ok() {
        return this == OK;
    }
}
