package io.ioth.tcpip.link;

import io.netty.buffer.ByteBuf;

import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Objects;

/**
 * Writes Ethernet frames as a pcapng file that Wireshark, tshark and tcpdump open (draft-ietf-opsawg-pcapng,
 * "PCAP Next Generation (pcapng) Capture File Format"; smoltcp {@code phy/tracer.rs} / {@code PcapWriter}).
 *
 * <pre>
 * Section Header Block        type 0x0A0D0D0A, byte-order magic 0x1A2B3C4D, version 1.0, section length -1,
 *                             shb_userappl
 * Interface Description Block type 1, LINKTYPE_ETHERNET (1), snaplen, if_name, if_tsresol = 9 (nanoseconds)
 * Enhanced Packet Block ...   type 6, interface 0, 64-bit timestamp (ns), captured/original length, the frame
 *                             padded to 32 bits, epb_flags (direction) when known
 * </pre>
 *
 * Every block is little-endian (the byte-order magic tells readers so), a multiple of 4 bytes long, and carries its
 * total length at both ends; an options list present ends with {@code opt_endofopt} (pcapng §3.5).
 *
 * <p><b>Time:</b> the writer never reads a clock; each {@link #write} takes {@code nowNanos}, written as is (readers
 * show it as nanoseconds since the Unix epoch). Simulated-time tests pass simulated time; {@link PcapLink#systemClock()}
 * gives wall-clock nanoseconds.
 *
 * <p><b>Buffering:</b> blocks are assembled in one fixed heap buffer (at least {@code bufferSize}, never less than the
 * largest block a frame can make) that goes to the sink when the next block does not fit, on {@link #flush()} and
 * on {@link #close()}. Memory stays bounded, and a frame costs no allocation. The sink is written synchronously,
 * with blocking I/O: this is a debugging tool, not something for a production hot path.
 *
 * <p>Not thread-safe: one owner thread. The writer owns its sink and closes it.
 */
public final class PcapngWriter implements Closeable {

    /** LINKTYPE_ETHERNET (tcpdump.org link-layer header types). */
    public static final int LINKTYPE_ETHERNET = 1;
    /** The default snapshot length: 65535 bytes, as tcpdump -s 0 historically. */
    public static final int DEFAULT_SNAPLEN = 65535;
    /** Wireshark's WTAP_MAX_PACKET_SIZE_STANDARD: the largest snaplen readers accept for Ethernet. */
    public static final int MAX_SNAPLEN = 262144;
    /** The default size of the block buffer. */
    public static final int DEFAULT_BUFFER_SIZE = 64 * 1024;

    /** Which way a frame went, written as the direction bits of {@code epb_flags} (pcapng §4.3.1). */
    public enum Direction {
        /** No {@code epb_flags} option is written. */
        UNKNOWN(0),
        /** Received from the wire. */
        INBOUND(1),
        /** Sent to the wire. */
        OUTBOUND(2);

        final int bits;

        Direction(int bits) {
            this.bits = bits;
        }
    }

    // pcapng §4 block types, §3.5 option codes
    static final int SHB_TYPE = 0x0A0D0D0A;
    static final int IDB_TYPE = 0x00000001;
    static final int EPB_TYPE = 0x00000006;
    static final int BYTE_ORDER_MAGIC = 0x1A2B3C4D;
    static final int OPT_ENDOFOPT = 0;
    static final int SHB_USERAPPL = 4;
    static final int IF_NAME = 2;
    static final int IF_TSRESOL = 9;
    static final int EPB_FLAGS = 2;
    /** if_tsresol value 9: the timestamp unit is 10^-9 s (pcapng §4.2). */
    static final int TSRESOL_NANOS = 9;
    /** EPB fixed part (28) + trailing length (4). */
    static final int EPB_OVERHEAD = 32;
    /** epb_flags option (4 + 4) + opt_endofopt (4). */
    static final int EPB_FLAGS_OPTIONS = 12;
    static final String USER_APPL = "IoTh-for-Netty ioth-tcpip";

    private final OutputStream out;
    private final WritableByteChannel channel;
    private final int snaplen;
    private final byte[] array;
    private final ByteBuffer block;
    private long packets;
    private long truncated;
    private boolean closed;

    /** Writes to {@code out} (owned: {@link #close()} closes it), snaplen 65535, a 64 KiB buffer, if_name "ioth0". */
    public PcapngWriter(OutputStream out) {
        this(Objects.requireNonNull(out, "out"), null, DEFAULT_SNAPLEN, DEFAULT_BUFFER_SIZE, "ioth0");
    }

    /**
     * @param out        the sink, owned by the writer
     * @param snaplen    frames longer than this are cut to it (the original length is kept), 1..{@value #MAX_SNAPLEN}
     * @param bufferSize the block buffer; raised to the largest possible block if smaller
     * @param ifName     the interface name readers show ({@code if_name}); {@code null} or empty for none
     */
    public PcapngWriter(OutputStream out, int snaplen, int bufferSize, String ifName) {
        this(Objects.requireNonNull(out, "out"), null, snaplen, bufferSize, ifName);
    }

    /** Same, to a blocking channel (a {@link FileChannel}); owned by the writer. */
    public PcapngWriter(WritableByteChannel channel, int snaplen, int bufferSize, String ifName) {
        this(null, Objects.requireNonNull(channel, "channel"), snaplen, bufferSize, ifName);
    }

    /** Creates (or truncates) {@code file}, snaplen 65535, a 64 KiB buffer, if_name "ioth0". */
    public static PcapngWriter open(Path file) throws IOException {
        return open(file, DEFAULT_SNAPLEN, DEFAULT_BUFFER_SIZE, "ioth0");
    }

    /** Creates (or truncates) {@code file}. */
    public static PcapngWriter open(Path file, int snaplen, int bufferSize, String ifName) throws IOException {
        checkSnaplen(snaplen);
        FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING);
        try {
            return new PcapngWriter(ch, snaplen, bufferSize, ifName);
        } catch (RuntimeException e) {
            ch.close(); // a bad argument must not leak the file descriptor
            throw e;
        }
    }

    private PcapngWriter(OutputStream out, WritableByteChannel channel, int snaplen, int bufferSize, String ifName) {
        checkSnaplen(snaplen);
        if (bufferSize <= 0) {
            throw new IllegalArgumentException("bufferSize must be > 0: " + bufferSize);
        }
        byte[] name = ifName == null ? new byte[0] : ifName.getBytes(StandardCharsets.UTF_8);
        if (name.length > 0xffff - 4) {
            throw new IllegalArgumentException("ifName too long: " + name.length + " bytes");
        }
        this.out = out;
        this.channel = channel;
        this.snaplen = snaplen;
        int headers = shbLength() + idbLength(name.length);
        int largest = Math.max(headers, EPB_OVERHEAD + pad4(snaplen) + EPB_FLAGS_OPTIONS);
        this.array = new byte[Math.max(bufferSize, largest)];
        this.block = ByteBuffer.wrap(array).order(ByteOrder.LITTLE_ENDIAN);
        putSectionHeader();
        putInterfaceDescription(name);
    }

    private static void checkSnaplen(int snaplen) {
        if (snaplen < 1 || snaplen > MAX_SNAPLEN) {
            throw new IllegalArgumentException("snaplen must be in 1.." + MAX_SNAPLEN + ": " + snaplen);
        }
    }

    static int pad4(int n) {
        return (n + 3) & ~3;
    }

    private static int shbLength() {
        // fixed 24 + shb_userappl (4 + padded value) + opt_endofopt (4) + trailing length (4)
        return 24 + 4 + pad4(USER_APPL.length()) + 4 + 4;
    }

    private static int idbLength(int nameLen) {
        // fixed 16 + [if_name] + if_tsresol (4 + 1 padded to 4) + opt_endofopt (4) + trailing length (4)
        return 16 + (nameLen > 0 ? 4 + pad4(nameLen) : 0) + 8 + 4 + 4;
    }

    /** Section Header Block (pcapng §4.1). */
    private void putSectionHeader() {
        int len = shbLength();
        int start = block.position();
        block.putInt(SHB_TYPE).putInt(len).putInt(BYTE_ORDER_MAGIC);
        block.putShort((short) 1).putShort((short) 0); // major 1, minor 0
        block.putLong(-1L); // section length not specified: we stream
        putOption(SHB_USERAPPL, USER_APPL.getBytes(StandardCharsets.US_ASCII));
        block.putShort((short) OPT_ENDOFOPT).putShort((short) 0);
        block.putInt(len);
        assert block.position() - start == len;
    }

    /** Interface Description Block (pcapng §4.2). */
    private void putInterfaceDescription(byte[] name) {
        int len = idbLength(name.length);
        int start = block.position();
        block.putInt(IDB_TYPE).putInt(len);
        block.putShort((short) LINKTYPE_ETHERNET).putShort((short) 0); // reserved
        block.putInt(snaplen);
        if (name.length > 0) {
            putOption(IF_NAME, name);
        }
        block.putShort((short) IF_TSRESOL).putShort((short) 1).putInt(TSRESOL_NANOS); // 1 byte value + 3 zero pad (LE)
        block.putShort((short) OPT_ENDOFOPT).putShort((short) 0);
        block.putInt(len);
        assert block.position() - start == len;
    }

    private void putOption(int code, byte[] value) {
        block.putShort((short) code).putShort((short) value.length).put(value);
        for (int i = value.length; i < pad4(value.length); i++) {
            block.put((byte) 0); // option values are padded to 32 bits (pcapng §3.5)
        }
    }

    /** Records the readable bytes of {@code frame} (indexes unchanged, not released) with no direction. */
    public void write(ByteBuf frame, long nowNanos) throws IOException {
        write(frame, nowNanos, Direction.UNKNOWN);
    }

    /**
     * Records the readable bytes of {@code frame} as one Enhanced Packet Block (pcapng §4.3). The frame's indexes
     * are left unchanged and it is not released. Frames longer than the snaplen are cut to it.
     *
     * @param nowNanos  the timestamp, nanoseconds (if_tsresol = 9); conventionally since the Unix epoch
     * @param direction written as epb_flags unless {@link Direction#UNKNOWN}
     * @throws IOException if the buffer had to go to the sink and that failed
     */
    public void write(ByteBuf frame, long nowNanos, Direction direction) throws IOException {
        ensureOpen();
        int original = frame.readableBytes();
        int captured = Math.min(original, snaplen);
        int len = EPB_OVERHEAD + pad4(captured) + (direction == Direction.UNKNOWN ? 0 : EPB_FLAGS_OPTIONS);
        if (block.remaining() < len) {
            drain();
        }
        block.putInt(EPB_TYPE).putInt(len);
        block.putInt(0); // interface id: the one IDB
        block.putInt((int) (nowNanos >>> 32)).putInt((int) nowNanos); // high, low 32 bits (pcapng §4.3)
        block.putInt(captured).putInt(original);
        int p = block.position();
        frame.getBytes(frame.readerIndex(), array, p, captured);
        int padded = pad4(captured);
        for (int i = captured; i < padded; i++) {
            array[p + i] = 0;
        }
        block.position(p + padded);
        if (direction != Direction.UNKNOWN) {
            block.putShort((short) EPB_FLAGS).putShort((short) 4).putInt(direction.bits);
            block.putShort((short) OPT_ENDOFOPT).putShort((short) 0);
        }
        block.putInt(len);
        packets++;
        if (captured < original) {
            truncated++;
        }
    }

    /** Sends the buffered blocks to the sink (and flushes an OutputStream sink). */
    public void flush() throws IOException {
        ensureOpen();
        drain();
        if (out != null) {
            out.flush();
        }
    }

    private void drain() throws IOException {
        int n = block.position();
        if (n == 0) {
            return;
        }
        try {
            if (out != null) {
                out.write(array, 0, n);
            } else {
                block.flip();
                while (block.hasRemaining()) {
                    channel.write(block);
                }
            }
        } finally {
            block.clear(); // on failure the buffered blocks are lost; the buffer stays usable
        }
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("PcapngWriter is closed");
        }
    }

    /** Frames recorded so far. */
    public long packets() {
        return packets;
    }

    /** Frames that were longer than the snaplen and were cut. */
    public long truncated() {
        return truncated;
    }

    /** The snapshot length written in the interface description. */
    public int snaplen() {
        return snaplen;
    }

    /** Bytes assembled but not yet handed to the sink. */
    public int buffered() {
        return block.position();
    }

    /** Flushes and closes the sink. Idempotent; the sink is closed even if the flush fails. */
    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        try (Closeable sink = out != null ? out : channel) {
            drain();
            if (out != null) {
                out.flush();
            }
        }
    }
}
