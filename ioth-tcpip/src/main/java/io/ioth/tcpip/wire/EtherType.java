package io.ioth.tcpip.wire;

/** EtherType values used by the stack (IEEE Registration Authority; RFC 7042 App. B). */
public final class EtherType {
    public static final int IPV4 = 0x0800;
    public static final int ARP = 0x0806;
    public static final int VLAN = 0x8100;   // IEEE 802.1Q C-tag
    public static final int QINQ = 0x88a8;   // IEEE 802.1ad S-tag
    public static final int IPV6 = 0x86dd;

    private EtherType() {
    }
}
