package io.ioth.tcpip.dhcp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.ioth.tcpip.testing.Hex;
import io.ioth.tcpip.wire.WireError;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.junit.jupiter.api.Test;

/**
 * Fuzzes the DHCPv4 parser (style.md §4.5, as {@code PacketPrinterFuzzTest}): arbitrary bytes as a DHCP message
 * (the UDP payload) go to the {@link Dhcp4Packet} view and {@link Dhcp4Repr#parse}, option overload, RFC 3396
 * concatenation and the RFC 3397 search list's compressed names included. Properties: no exception escapes
 * (untrusted bytes are only refused with a {@link WireError}); a message that parses, emitted again as a server or
 * client would send it, parses to the same values.
 *
 * <p><b>Regression mode</b> (default, what CI runs): replays the seed corpus
 * {@code src/test/resources/io/ioth/tcpip/dhcp/Dhcp4FuzzTestInputs/message/}, one file per golden message of
 * {@link Dhcp4ReprTest} (see {@link #seedCorpusHoldsEverySeed()}), plus any crash reproducer added there.
 *
 * <p><b>Fuzzing</b> (locally, never in CI): {@code JAZZER_FUZZ=1 mvn -pl ioth-tcpip test
 * -Dtest=Dhcp4FuzzTest#message}; stops after {@code maxDuration}; the generated corpus goes to
 * {@code .cifuzz-corpus/} (git-ignored) and a crashing input is written into the inputs directory above.
 */
class Dhcp4FuzzTest {
    /** The message starts at an odd index, so no parser may assume index 0 or even alignment. */
    static final int HEADROOM = 3;
    static final String SEEDS = "src/test/resources/io/ioth/tcpip/dhcp/Dhcp4FuzzTestInputs/message";

    // reused as the client and server reuse theirs: state left by one input must not matter
    private final Dhcp4Packet pkt = new Dhcp4Packet();
    private final Dhcp4Repr repr = new Dhcp4Repr();
    private final Dhcp4Repr again = new Dhcp4Repr();
    private long sink;

    @FuzzTest(maxDuration = "60s")
    void message(byte[] data) {
        byte[] backing = new byte[HEADROOM + data.length];
        System.arraycopy(data, 0, backing, HEADROOM, data.length);
        // capacity ends exactly at the message: any read past its end throws instead of reading slack
        ByteBuf buf = Unpooled.wrappedBuffer(backing);
        Dhcp4Packet p = pkt.wrap(buf, HEADROOM, data.length);
        if (p.checkLen().ok()) {
            sink += p.op() + p.htype() + p.hlen() + p.hops() + p.xid() + p.secs() + p.flags() + p.ciaddr()
                    + p.yiaddr() + p.siaddr() + p.giaddr() + p.chaddrMac() + p.magic() + p.optionsOffset()
                    + p.optionsLength();
        }
        WireError e = repr.parse(p);
        sink += e.ordinal();
        if (!e.ok()) {
            return;
        }
        sink += repr.toString().length();
        // the FQDN's canonical decoding is lossy ('?' for unprintable octets, dots inside labels) and the server
        // never echoes it: leave it out of the round trip
        repr.fqdnFlags = -1;
        repr.fqdn = null;
        byte[] out = new byte[repr.bufferLen()];
        repr.emit(Unpooled.wrappedBuffer(out), 0);
        assertEquals(WireError.OK, again.parse(new Dhcp4Packet().wrap(Unpooled.wrappedBuffer(out), 0, out.length)));
        assertEquals(repr.toString(), again.toString());
        assertEquals(repr.searchDomains, again.searchDomains);
        assertEquals(repr.routerCount, again.routerCount);
        assertEquals(repr.dnsCount, again.dnsCount);
        assertEquals(repr.mtu, again.mtu);
        assertEquals(repr.prefixLength, again.prefixLength);
        assertEquals(repr.leaseTime, again.leaseTime);
        assertTrue(Objects.equals(repr.domainName, again.domainName), repr.domainName + " / " + again.domainName);
        assertArrayEquals(repr.clientId, again.clientId);
    }

    /** The seeds: the golden messages of {@link Dhcp4ReprTest}, the client's DISCOVER and a server's NAK. */
    static Map<String, byte[]> seeds() {
        Map<String, byte[]> m = new LinkedHashMap<>();
        m.put("ACK_GOLDEN", Hex.decode(Dhcp4ReprTest.HEADER + Dhcp4ReprTest.OPTIONS));
        m.put("ACK_SEARCH_RFC3397", Hex.decode(Dhcp4ReprTest.HEADER + "350105" + Dhcp4ReprTest.RFC3397_EXAMPLE + "ff"));
        m.put("REQUEST_FQDN_ASCII", Hex.decode(Dhcp4ReprTest.HEADER + "5108" + "010000" + "686f737400" + "ff"));
        byte[] overload = Hex.decode(Dhcp4ReprTest.HEADER + "350102" + "340103" + "ff");
        System.arraycopy(Hex.decode("36040a000001ff"), 0, overload, 108, 7);
        System.arraycopy(Hex.decode("330400000e10ff"), 0, overload, 44, 7);
        m.put("OFFER_OVERLOAD_FILE_SNAME", overload);

        Dhcp4Repr r = new Dhcp4Repr().clear();
        r.op = Dhcp4Packet.OP_BOOTREQUEST;
        r.xid = 0x0badcafe;
        r.chaddr = 0x02000000000bL;
        r.messageType = Dhcp4Repr.DISCOVER;
        r.clientId = Hex.decode("0102000000000b");
        r.maxMessageSize = 1500;
        r.paramList = Hex.decode("0103060f1a1c333a3b77");
        r.hostName = "b";
        r.fqdnFlags = Dhcp4Repr.FQDN_S | Dhcp4Repr.FQDN_E;
        r.fqdn = "b.lab";
        m.put("DISCOVER_CLIENT", DhcpFrames.bytes(r));

        Dhcp4Repr n = new Dhcp4Repr().clear();
        n.op = Dhcp4Packet.OP_BOOTREPLY;
        n.xid = 0x0badcafe;
        n.chaddr = 0x02000000000bL;
        n.messageType = Dhcp4Repr.NAK;
        n.serverId = DhcpFrames.ip("10.0.0.1");
        n.message = "lease not found";
        n.clientId = Hex.decode("0102000000000b");
        m.put("NAK_MESSAGE", DhcpFrames.bytes(n));
        return m;
    }

    /**
     * The seed corpus holds every seed byte for byte. Run with {@code -Dioth.writeFuzzSeeds=true} to (re)write the
     * files after adding a seed; it then checks the files it wrote.
     */
    @Test
    void seedCorpusHoldsEverySeed() throws IOException {
        Map<String, byte[]> seeds = seeds();
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
            String res = "Dhcp4FuzzTestInputs/message/" + e.getKey();
            try (InputStream in = write ? Files.newInputStream(dir.resolve(e.getKey()))
                    : Dhcp4FuzzTest.class.getResourceAsStream(res)) {
                if (in == null) {
                    missing.add(e.getKey());
                    continue;
                }
                assertArrayEquals(e.getValue(), in.readAllBytes(), res + " differs from its golden message");
            }
        }
        assertTrue(missing.isEmpty(), "seed files missing for " + missing
                + "; run this test with -Dioth.writeFuzzSeeds=true");
        // every seed parses (a seed that is refused exercises only the first checks)
        for (Map.Entry<String, byte[]> e : seeds.entrySet()) {
            byte[] b = e.getValue();
            assertEquals(WireError.OK, new Dhcp4Repr().parse(new Dhcp4Packet().wrap(Unpooled.wrappedBuffer(b), 0,
                    b.length)), e.getKey() + " " + Arrays.toString(b));
        }
    }
}
