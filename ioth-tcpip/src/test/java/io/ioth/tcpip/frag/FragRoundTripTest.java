package io.ioth.tcpip.frag;

import static io.ioth.tcpip.frag.Packets.hex;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ioth.tcpip.frag.Fragmenter.Result;
import io.ioth.tcpip.frag.Reassembler.Counter;
import io.ioth.tcpip.wire.IpProtocol;
import io.netty.buffer.ByteBuf;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.SplittableRandom;

/**
 * Property: for random datagrams (sizes, MTUs, IPv4 options, IPv6 extension headers), fragmenting and then
 * reassembling the fragments in any order, with duplicates and interleaved with other datagrams, gives back the
 * original bytes exactly. Seeded: a failure names the seed and iteration to replay.
 */
class FragRoundTripTest {
    static final long SEED = 20240611L;

    final Fragmenter frag = new Fragmenter(Packets.POOL, 14, new FragmentIds(new SplittableRandom(SEED)));
    final Reassembler reasm;
    final List<ByteBuf> pending = new ArrayList<>();

    FragRoundTripTest() {
        Reassembler.Config c = new Reassembler.Config();
        c.maxFragmentsPerDatagram = 8192; // a 64 KiB datagram at MTU 68 has 8190 fragments
        c.memoryCapBytes = 256L << 20;
        reasm = new Reassembler(Packets.POOL, Reassembler.Listener.NONE, c, new Random(SEED));
    }

    @AfterEach
    void release() {
        Packets.releaseAll(pending);
        reasm.close();
    }

    /** A random well-formed IPv4 option list (NOPs, copied and non-copied options), padded to a multiple of 4. */
    static byte[] options(SplittableRandom rnd) {
        int budget = 4 * rnd.nextInt(0, 11);
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        while (o.size() < budget) {
            int room = budget - o.size();
            if (room < 3 || rnd.nextInt(4) == 0) {
                o.write(1); // NOP
                continue;
            }
            int len = rnd.nextInt(3, Math.min(room, 12) + 1);
            o.write(rnd.nextBoolean() ? 0x82 : 0x07); // copied flag set / clear
            o.write(len);
            for (int i = 2; i < len; i++) {
                o.write(rnd.nextInt(256));
            }
        }
        return o.toByteArray();
    }

    static byte[] randomV4(SplittableRandom rnd, int ident) {
        byte[] opts = options(rnd);
        int max = 65535 - 20 - opts.length;
        int len = rnd.nextBoolean() ? rnd.nextInt(1, 5000) : rnd.nextInt(1, max + 1);
        byte[] payload = new byte[len];
        rnd.nextBytes(payload);
        int tos = rnd.nextInt(256);
        return Packets.ipv4(0x0a000000 | rnd.nextInt(4), Packets.B4, rnd.nextBoolean() ? 17 : 6, ident, tos, 64,
                opts, payload);
    }

    /** IPv6 with optional hop-by-hop and routing headers (unfragmentable) and destination options (not). */
    static byte[] randomV6(SplittableRandom rnd) {
        ByteArrayOutputStream rest = new ByteArrayOutputStream();
        List<Integer> chain = new ArrayList<>();
        if (rnd.nextBoolean()) {
            chain.add(IpProtocol.HOP_BY_HOP);
        }
        if (rnd.nextBoolean()) {
            chain.add(IpProtocol.IPV6_ROUTING);
        }
        if (rnd.nextBoolean()) {
            chain.add(IpProtocol.IPV6_DEST_OPTS);
        }
        chain.add(IpProtocol.UDP);
        for (int i = 0; i < chain.size() - 1; i++) {
            int units = rnd.nextInt(0, 3);
            rest.write(chain.get(i + 1)); // next header
            rest.write(units); // (units + 1) * 8 bytes
            rest.write(1); // PadN over the rest of the header
            rest.write(units * 8 + 4);
            for (int k = 4; k < (units + 1) * 8; k++) {
                rest.write(0);
            }
        }
        int room = 65535 - rest.size();
        int len = rnd.nextBoolean() ? rnd.nextInt(8, 5000) : rnd.nextInt(8, room + 1);
        byte[] upper = new byte[len];
        rnd.nextBytes(upper);
        rest.writeBytes(upper);
        return Packets.ipv6(rnd.nextInt(1, 4), 2, chain.get(0), rnd.nextInt(256), rnd.nextInt(1 << 20),
                rest.toByteArray());
    }

    static int mtuV4(SplittableRandom rnd) {
        return rnd.nextBoolean() ? rnd.nextInt(Fragmenter.MIN_MTU_V4, 1501) : rnd.nextInt(1500, 9001);
    }

    static int mtuV6(SplittableRandom rnd) {
        return rnd.nextInt(Fragmenter.MIN_MTU_V6, 9001);
    }

    /** Fragments {@code p}; returns the fragments (owned by {@link #pending}) or an empty list if it fits. */
    List<ByteBuf> fragment(byte[] p, int mtu, SplittableRandom rnd) {
        List<ByteBuf> out = new ArrayList<>();
        ByteBuf in = Packets.pooled(p);
        Result res;
        try {
            res = (p[0] >> 4) == 4 ? frag.fragmentV4(in, 0, p.length, mtu, out::add)
                    : frag.fragmentV6(in, 0, p.length, mtu, rnd.nextInt(), out::add);
        } finally {
            in.release();
        }
        pending.addAll(out);
        if (res == Result.NOT_NEEDED) {
            assertTrue(p.length <= mtu);
            return out;
        }
        assertEquals(Result.FRAGMENTED, res);
        for (ByteBuf f : out) {
            assertTrue(f.readableBytes() <= mtu, "fragment larger than the MTU");
        }
        return out;
    }

    ByteBuf offer(ByteBuf f, long now) {
        int off = f.readerIndex();
        return (f.getByte(off) >> 4 & 0xf) == 4 ? reasm.acceptV4(f, off, f.readableBytes(), now)
                : reasm.acceptV6(f, off, f.readableBytes(), now);
    }

    @Test
    void singleDatagramsShuffledWithADuplicate() {
        SplittableRandom rnd = new SplittableRandom(SEED);
        int done = 0;
        for (int iter = 0; iter < 400; iter++) {
            boolean v4 = rnd.nextBoolean();
            byte[] p = v4 ? randomV4(rnd, iter) : randomV6(rnd);
            int mtu = v4 ? mtuV4(rnd) : mtuV6(rnd);
            List<ByteBuf> frags = fragment(p, mtu, rnd);
            if (frags.isEmpty()) {
                continue;
            }
            List<ByteBuf> order = new ArrayList<>(frags);
            Collections.shuffle(order, new Random(rnd.nextLong()));
            // a duplicate of a non-final element, after its original and before the final element
            int i = rnd.nextInt(order.size() - 1);
            order.add(rnd.nextInt(i + 1, order.size()), order.get(i));
            ByteBuf result = null;
            for (int k = 0; k < order.size(); k++) {
                result = offer(order.get(k), iter);
                if (k < order.size() - 1) {
                    assertNull(result, "seed " + SEED + " iter " + iter + ": complete too early");
                }
            }
            assertNotNull(result, "seed " + SEED + " iter " + iter + ": not complete");
            try {
                assertEquals(hex(p), hex(Packets.bytes(result)), "seed " + SEED + " iter " + iter + " mtu " + mtu);
            } finally {
                result.release();
            }
            Packets.releaseAll(pending);
            done++;
        }
        assertTrue(done > 250, "datagrams that needed fragmenting: " + done);
        assertEquals(done, reasm.counter(Counter.REASSEMBLED));
        assertEquals(done, reasm.counter(Counter.DUPLICATE));
        assertEquals(0, reasm.heldBytes());
    }

    @Test
    void interleavedDatagramsOfBothFamilies() {
        SplittableRandom rnd = new SplittableRandom(SEED + 1);
        int total = 0;
        for (int iter = 0; iter < 100; iter++) {
            Map<String, Integer> expected = new HashMap<>();
            List<ByteBuf> all = new ArrayList<>();
            int k = rnd.nextInt(2, 6);
            for (int j = 0; j < k; j++) {
                boolean v4 = rnd.nextBoolean();
                byte[] p = v4 ? randomV4(rnd, iter * 8 + j) : randomV6(rnd);
                List<ByteBuf> frags = fragment(p, v4 ? mtuV4(rnd) : mtuV6(rnd), rnd);
                if (!frags.isEmpty()) {
                    expected.merge(hex(p), 1, Integer::sum);
                    all.addAll(frags);
                }
            }
            Collections.shuffle(all, new Random(rnd.nextLong()));
            for (ByteBuf f : all) {
                ByteBuf result = offer(f, iter);
                if (result != null) {
                    try {
                        String h = hex(Packets.bytes(result));
                        assertTrue(expected.containsKey(h), "iter " + iter + ": unexpected datagram");
                        expected.merge(h, -1, (a, b) -> a + b == 0 ? null : a + b);
                        total++;
                    } finally {
                        result.release();
                    }
                }
            }
            assertTrue(expected.isEmpty(), "iter " + iter + ": missing " + expected.size());
            assertEquals(0, reasm.datagramCount());
            Packets.releaseAll(pending);
        }
        assertTrue(total > 200, "datagrams: " + total);
        assertEquals(0, reasm.counter(Counter.OVERLAP));
    }
}
