package io.ioth.vde;

/** Why a plug dropped a frame; each reason has its own counter in {@link PlugStats}. */
public enum DropReason {
    /** Shorter than an Ethernet header (14 bytes); vde_switch and vde_plug drop these too. */
    RUNT,
    /** Longer than the wire carries (1518 toward vde_switch, which would truncate silently; 9234 elsewhere). */
    OVERSIZE,
    /** A bounded queue (write backlog, in-JVM port queue) was full. */
    QUEUE_FULL,
    /** A stream cable announced a length over 9236 bytes (VDE_ETHBUFSIZE + 2, libvdestream's limit). */
    STREAM_BAD_LENGTH,
    /** A stream ended in the middle of a frame. */
    STREAM_TRUNCATED,
    /** A vxvde datagram whose 8-byte header is not ours (flags or reserved bytes). */
    BAD_HEADER,
    /** A vxvde datagram for another VNI. */
    WRONG_VNI,
    /** The operating system refused the send (other than "would block"). */
    SEND_ERROR,
    /** Written while the wire was down (closed, or waiting to reconnect). */
    NOT_CONNECTED,
    /** A datagram from an address that is not our peer (udp://). */
    FOREIGN_SOURCE;

    static final DropReason[] VALUES = values();
}
