package io.ioth.tcpip.iface;

import io.ioth.tcpip.testing.Ipv6Captures;
import io.ioth.tcpip.testing.StackFixture;
import io.ioth.tcpip.wire.GoldenFrames;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

import static io.ioth.tcpip.testing.Frames6.hostB;
import static io.ioth.tcpip.testing.StackFixture.SEC;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * "Bad input ... dropped and counted, or answered per RFC - never an exception out of the loop": every IPv6 golden
 * frame, mutated (bytes flipped, lengths cut) thousands of times with a fixed seed, into a stack that knows its
 * peer and has a UDP socket and a group joined; time runs on so timers fire too. Netty's paranoid leak detector
 * (on for every test) fails the run if a buffer is lost on any of these paths.
 */
class Ipv6RobustnessTest {

    static List<byte[]> seeds() throws Exception {
        List<byte[]> l = new ArrayList<>();
        for (Method m : Ipv6Captures.class.getDeclaredMethods()) {
            if (Modifier.isStatic(m.getModifiers()) && m.getReturnType() == byte[].class) {
                l.add((byte[]) m.invoke(null));
            }
        }
        GoldenFrames.all().forEach((k, v) -> {
            if (v.length > 14 && v[12] == (byte) 0x86 && v[13] == (byte) 0xdd) {
                l.add(v);
            }
        });
        return l;
    }

    @Test
    void mutatedIpv6Frames_neverThrow_andNeverLeak() throws Exception {
        List<byte[]> seeds = seeds();
        assertTrue(seeds.size() > 30, "seeds " + seeds.size());
        SplittableRandom rnd = new SplittableRandom(20261129);
        long frames = 0;
        try (StackFixture f = hostB()) {
            f.stack.openUdp().bind(0L, 0L, 5999);
            f.stack.openUdp().joinGroup(0xff12_0000_0000_0000L, 0x1234, f.eth0, f.now);
            f.receive(Ipv6Captures.nsForB());
            for (int round = 0; round < 300; round++) {
                for (byte[] seed : seeds) {
                    byte[] m = seed.clone();
                    // keep the Ethernet header (so the frame reaches IPv6), mutate the rest
                    int flips = 1 + rnd.nextInt(4);
                    for (int i = 0; i < flips; i++) {
                        int at = 14 + rnd.nextInt(m.length - 14);
                        m[at] = (byte) (rnd.nextBoolean() ? rnd.nextInt(256) : m[at] ^ (1 << rnd.nextInt(8)));
                    }
                    if (rnd.nextInt(4) == 0) {
                        m = Arrays.copyOf(m, 14 + rnd.nextInt(m.length - 13));
                    }
                    f.link.inject(m);
                    frames++;
                }
                f.settle(f.now + 50_000_000L);
                f.link.takeAll();
            }
            f.settle(f.now + 120 * SEC); // reassembly and neighbour timers run out
            f.link.takeAll();
        }
        assertTrue(frames > 10_000, "frames " + frames);
    }
}
