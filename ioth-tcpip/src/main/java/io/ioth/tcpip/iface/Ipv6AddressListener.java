package io.ioth.tcpip.iface;

/**
 * Hears when an IPv6 address of the stack leaves Duplicate Address Detection (RFC 4862 §5.4): usable, or duplicated.
 * Static and autoconfigured addresses alike; owner thread, during the stack's poll.
 */
@FunctionalInterface
public interface Ipv6AddressListener {
    void addressStateChanged(NetInterface ifc, long hi, long lo, boolean duplicate, long nowNanos);
}
