package io.ioth.tcpip.wire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Fuzzes the whole wire layer through one entry (style.md §4.5; smoltcp {@code fuzz/fuzz_targets/packet_parser.rs}):
 * arbitrary bytes as an Ethernet frame go to {@link PacketPrinter} (which walks every parser) and, raw, to every
 * view's checked constructor and every {@code Repr.parse}. The property: no exception escapes; untrusted bytes are
 * only ever refused with a {@link WireError}.
 *
 * <p><b>Regression mode</b> (default, what CI runs): replays the seed corpus
 * {@code src/test/resources/io/ioth/tcpip/wire/PacketPrinterFuzzTestInputs/frame/}, one file per golden frame of
 * {@link Captures} (see {@link #seedCorpusHoldsEveryCapture()}), plus any crash reproducer added there.
 *
 * <p><b>Fuzzing</b> (locally, never in CI): {@code JAZZER_FUZZ=1 mvn -pl ioth-tcpip test
 * -Dtest=PacketPrinterFuzzTest#frame}; stops after {@code maxDuration}; the generated corpus goes to
 * {@code .cifuzz-corpus/} (git-ignored) and a crashing input is written into the inputs directory above.
 */
class PacketPrinterFuzzTest {
    /** The frame starts at an odd index, so no parser may assume index 0 or even alignment. */
    static final int HEADROOM = 3;
    static final String SEEDS = "src/test/resources/io/ioth/tcpip/wire/PacketPrinterFuzzTestInputs/frame";

    // One set of reusable views, as the engine keeps one per layer: state left by one input must not matter.
    private final PacketPrinter printer = new PacketPrinter();
    private final EthernetFrame eth = new EthernetFrame();
    private final ArpPacket arp = new ArpPacket();
    private final Ipv4Packet ip4 = new Ipv4Packet();
    private final Ipv6Packet ip6 = new Ipv6Packet();
    private final Ipv6ExtHeaders ext = new Ipv6ExtHeaders();
    private final Icmpv4Packet icmp4 = new Icmpv4Packet();
    private final Icmpv6Packet icmp6 = new Icmpv6Packet();
    private final NdiscOption ndopt = new NdiscOption();
    private final UdpPacket udp = new UdpPacket();
    private final TcpPacket tcp = new TcpPacket();
    private final TcpOptions tcpOpts = new TcpOptions();
    private final EthernetRepr ethRepr = new EthernetRepr();
    private final ArpRepr arpRepr = new ArpRepr();
    private final Ipv4Repr ip4Repr = new Ipv4Repr();
    private final Ipv6Repr ip6Repr = new Ipv6Repr();
    private final Icmpv4Repr icmp4Repr = new Icmpv4Repr();
    private final Icmpv6Repr icmp6Repr = new Icmpv6Repr();
    private final UdpRepr udpRepr = new UdpRepr();
    private final TcpRepr tcpRepr = new TcpRepr();
    /** Getter results are folded in here so the JIT cannot drop the calls. */
    private long sink;

    @FuzzTest(maxDuration = "60s")
    void frame(byte[] data) {
        byte[] backing = new byte[HEADROOM + data.length];
        System.arraycopy(data, 0, backing, HEADROOM, data.length);
        // capacity ends exactly at the frame: any read past its end throws instead of reading slack
        ByteBuf buf = Unpooled.wrappedBuffer(backing).readerIndex(HEADROOM);
        int off = HEADROOM;
        int n = data.length;

        assertNotNull(PacketPrinter.print(buf));
        assertNotNull(printer.describe(buf, off, n));
        assertTrue(buf.readerIndex() == off && buf.writerIndex() == off + n, "the printer moved the indexes");

        everyView(buf, off, n);
    }

    /** The raw bytes to each view's checked constructor and each Repr.parse (both checksum policies). */
    private void everyView(ByteBuf buf, int off, int n) {
        if (eth.wrapChecked(buf, off, n).ok()) {
            sink += eth.dst() + eth.src() + eth.outerEtherType() + eth.etherType() + eth.vlanId() + eth.pcp()
                    + eth.headerLen() + eth.payloadOffset() + eth.payloadLength() + (eth.isTagged() ? 1 : 0);
        }
        sink += ethRepr.parse(eth).ordinal();

        if (arp.wrapChecked(buf, off, n).ok()) {
            sink += arp.htype() + arp.ptype() + arp.hlen() + arp.plen() + arp.oper() + arp.sha() + arp.spa()
                    + arp.tha() + arp.tpa();
        }
        sink += arpRepr.parse(arp).ordinal();

        if (ip4.wrapChecked(buf, off, n).ok()) {
            sink += ip4.version() + ip4.headerLen() + ip4.tos() + ip4.dscp() + ip4.ecn() + ip4.totalLen() + ip4.ident()
                    + ip4.fragOffset() + ip4.ttl() + ip4.protocol() + ip4.checksum() + ip4.src() + ip4.dst()
                    + ip4.optionsOffset() + ip4.optionsLength() + ip4.payloadOffset() + ip4.payloadLength()
                    + ip4.pseudoHeaderSum() + (ip4.dontFrag() ? 1 : 0) + (ip4.moreFrags() ? 1 : 0)
                    + (ip4.isFragment() ? 1 : 0) + (ip4.verifyChecksum() ? 1 : 0);
        }
        sink += ip4Repr.parse(ip4, ChecksumPolicy.VERIFY).ordinal() + ip4Repr.parse(ip4, ChecksumPolicy.IGNORE).ordinal();

        if (ip6.wrapChecked(buf, off, n).ok()) {
            sink += ip6.version() + ip6.trafficClass() + ip6.flowLabel() + ip6.payloadLen() + ip6.nextHeader()
                    + ip6.hopLimit() + ip6.srcHi() + ip6.srcLo() + ip6.dstHi() + ip6.dstLo() + ip6.payloadOffset()
                    + ip6.pseudoHeaderSum(IpProtocol.UDP, ip6.payloadLen());
            if (ext.walk(ip6).ok()) {
                sink += ext.upperProtocol + ext.upperOffset + ext.upperLength + ext.headerCount;
            }
        }
        sink += ip6Repr.parse(ip6).ordinal();
        // an arbitrary extension-header chain, its first next-header taken from the input
        if (n > 0) {
            sink += ext.walk(buf, off + 1, n - 1, buf.getUnsignedByte(off)).ordinal();
        }

        if (icmp4.wrapChecked(buf, off, n).ok()) {
            sink += icmp4.type() + icmp4.code() + icmp4.checksum() + icmp4.ident() + icmp4.seq() + icmp4.nextHopMtu()
                    + icmp4.dataOffset() + icmp4.dataLength() + (icmp4.verifyChecksum() ? 1 : 0);
        }
        sink += icmp4Repr.parse(icmp4, ChecksumPolicy.VERIFY).ordinal()
                + icmp4Repr.parse(icmp4, ChecksumPolicy.IGNORE).ordinal();

        if (icmp6.wrapChecked(buf, off, n).ok()) {
            sink += icmp6.type() + icmp6.code() + icmp6.checksum() + icmp6.ident() + icmp6.seq() + icmp6.mtu()
                    + icmp6.pointer() + icmp6.dataOffset() + icmp6.dataLength()
                    + (icmp6.verifyChecksum(1, 2, 3, 4) ? 1 : 0);
            ndOptions(buf, icmp6.dataOffset(), icmp6.dataLength());
        }
        sink += icmp6Repr.parse(icmp6, 1, 2, 3, 4, ChecksumPolicy.VERIFY).ordinal()
                + icmp6Repr.parse(icmp6, 1, 2, 3, 4, ChecksumPolicy.IGNORE).ordinal();
        ndOptions(buf, off, n);

        if (udp.wrapChecked(buf, off, n).ok()) {
            sink += udp.srcPort() + udp.dstPort() + udp.udpLength() + udp.checksum() + udp.payloadOffset()
                    + udp.payloadLength() + (udp.verifyChecksum(0x1234) ? 1 : 0);
        }
        sink += udpRepr.parse(udp, 0x1234, false, ChecksumPolicy.VERIFY).ordinal()
                + udpRepr.parse(udp, 0x1234, true, ChecksumPolicy.VERIFY).ordinal()
                + udpRepr.parse(udp, 0, true, ChecksumPolicy.IGNORE).ordinal();

        if (tcp.wrapChecked(buf, off, n).ok()) {
            sink += tcp.srcPort() + tcp.dstPort() + tcp.seq() + tcp.ack() + tcp.headerLen() + tcp.flags()
                    + tcp.window() + tcp.checksum() + tcp.urgent() + tcp.optionsOffset() + tcp.optionsLength()
                    + tcp.payloadOffset() + tcp.payloadLength() + tcp.segmentLength()
                    + (tcp.syn() ? 1 : 0) + (tcp.fin() ? 1 : 0) + (tcp.rst() ? 1 : 0) + (tcp.hasAck() ? 1 : 0)
                    + (tcp.verifyChecksum(0x1234) ? 1 : 0);
            sink += tcpOpts.parse(buf, tcp.optionsOffset(), tcp.optionsLength()).ordinal();
        }
        sink += tcpRepr.parse(tcp, 0x1234, ChecksumPolicy.VERIFY).ordinal()
                + tcpRepr.parse(tcp, 0, ChecksumPolicy.IGNORE).ordinal();
        sink += tcpOpts.parse(buf, off, n).ordinal() + tcpOpts.sackBlockCount + tcpOpts.mss;
    }

    /** Walks NDP options, reading each well-formed known option through its typed getters. */
    private void ndOptions(ByteBuf buf, int off, int n) {
        ndopt.reset(buf, off, n);
        while (ndopt.next()) {
            sink += ndopt.type() + ndopt.length() + ndopt.offset();
            if (!ndopt.wellFormed()) {
                continue;
            }
            switch (ndopt.type()) {
                case NdiscOption.SOURCE_LL_ADDR:
                case NdiscOption.TARGET_LL_ADDR:
                    sink += ndopt.linkLayerAddr();
                    break;
                case NdiscOption.PREFIX_INFO:
                    sink += ndopt.prefixLen() + ndopt.prefixFlags() + ndopt.prefixValidLifetime()
                            + ndopt.prefixPreferredLifetime() + ndopt.prefixHi() + ndopt.prefixLo();
                    break;
                case NdiscOption.MTU:
                    sink += ndopt.mtu();
                    break;
                case NdiscOption.RDNSS:
                    sink += ndopt.rdnssLifetime();
                    for (int i = 0; i < ndopt.rdnssCount(); i++) {
                        sink += ndopt.rdnssHi(i) + ndopt.rdnssLo(i);
                    }
                    break;
                default:
                    break;
            }
        }
        sink += ndopt.error().ordinal() + ndopt.validate(buf, off, n).ordinal();
    }

    /** The seeds: every golden frame of {@link Captures}, plus the 802.1Q-tagged ARP of {@link EthernetFrameTest}. */
    static Map<String, byte[]> seeds() {
        Map<String, byte[]> m = new LinkedHashMap<>(GoldenFrames.all());
        m.put("TAGGED_ARP", EthernetFrameTest.TAGGED_ARP.clone());
        return m;
    }

    /**
     * The seed corpus holds every seed byte for byte. Run with {@code -Dioth.writeFuzzSeeds=true} to (re)write the
     * files after adding a capture; it then checks the files it wrote.
     */
    @Test
    void seedCorpusHoldsEveryCapture() throws IOException {
        Map<String, byte[]> seeds = seeds();
        assertTrue(seeds.size() >= 20, "captures found: " + seeds.keySet());
        boolean write = Boolean.getBoolean("ioth.writeFuzzSeeds");
        Path dir = Path.of(SEEDS); // surefire runs in the module directory
        if (write) {
            Files.createDirectories(dir);
            for (Map.Entry<String, byte[]> e : seeds.entrySet()) {
                Files.write(dir.resolve(e.getKey()), e.getValue());
            }
        }
        List<String> missing = new ArrayList<>();
        for (Map.Entry<String, byte[]> e : seeds.entrySet()) {
            String res = "PacketPrinterFuzzTestInputs/frame/" + e.getKey();
            try (InputStream in = write ? Files.newInputStream(dir.resolve(e.getKey()))
                    : PacketPrinterFuzzTest.class.getResourceAsStream(res)) {
                if (in == null) {
                    missing.add(e.getKey());
                    continue;
                }
                assertArrayEquals(e.getValue(), in.readAllBytes(), res + " differs from its golden frame");
            }
        }
        assertTrue(missing.isEmpty(), "seed files missing for " + missing
                + "; run this test with -Dioth.writeFuzzSeeds=true");
    }
}
