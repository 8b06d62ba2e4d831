package io.ioth.tcpip.socket.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.UnpooledByteBufAllocator;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

/**
 * Near-valid hostile segments (sequence and acknowledgment numbers around the windows, random flag combinations,
 * random option bytes, random payloads) against listening, connecting, established and closing sockets, while the
 * application keeps reading and writing: nothing may throw, and the stack stays consistent.
 */
class StructuredFuzzTest extends TcpTestBase {
    static final int[] FLAGS = {Seg.ACK, Seg.ACK | Seg.PSH, Seg.SYN, Seg.SYN | Seg.ACK, Seg.FIN | Seg.ACK, Seg.RST,
        Seg.RST | Seg.ACK, Seg.FIN, 0, Seg.SYN | Seg.FIN, 0xff, Seg.ACK | 0x20};

    @Test
    void hostileSegments_neverThrow() {
        final int rounds = Integer.getInteger("tcp.fuzz.rounds", 30);
        final SplittableRandom rnd = new SplittableRandom(Long.getLong("tcp.fuzz.seed", 11));
        for (int round = 0; round < rounds; round++) {
            final TcpHarness h = new TcpHarness(b -> b.timestamps(rnd.nextBoolean()).sack(rnd.nextBoolean())
                    .windowScaling(rnd.nextBoolean()).oowAckInterval(0).checksumPolicy(
                            io.ioth.tcpip.wire.ChecksumPolicy.IGNORE));
            h.alloc = new UnpooledByteBufAllocator(true, true);
            final TcpSocket s = rnd.nextBoolean() ? h.passiveEstablished(TcpHarness.remoteSyn().ws(rnd.nextInt(16))
                    .sackPerm().ts(5, 0)) : h.activeEstablished();
            final int r0 = TcpHarness.REMOTE_SEQ + 1;
            final int l0 = TcpHarness.LOCAL_SEQ + 1;
            for (int i = 0; i < 3000; i++) {
                final Seg t = Seg.flags(FLAGS[rnd.nextInt(FLAGS.length)])
                        .seq(r0 + rnd.nextInt(-70_000, 140_000)).ack(l0 + rnd.nextInt(-70_000, 140_000))
                        .win(rnd.nextInt(65536)).dport(s.localPort() == 0 ? 80 : s.localPort());
                if (rnd.nextInt(4) == 0) {
                    t.len(rnd.nextInt(1500));
                }
                switch (rnd.nextInt(6)) {
                    case 0:
                        final byte[] o = new byte[4 * rnd.nextInt(11)];
                        for (int k = 0; k < o.length; k++) {
                            o[k] = (byte) rnd.nextInt(256);
                        }
                        t.rawOptions(o);
                        break;
                    case 1:
                        t.ts(rnd.nextInt(), rnd.nextInt());
                        break;
                    case 2:
                        t.sack(l0 + rnd.nextInt(100_000), l0 + rnd.nextInt(100_000));
                        break;
                    default:
                        break;
                }
                h.send(t);
                if (rnd.nextInt(8) == 0) {
                    TcpHarness.write(s, Seg.filler(rnd.nextInt(3000)));
                }
                if (rnd.nextInt(4) == 0) {
                    TcpHarness.readAll(s);
                }
                if (rnd.nextInt(50) == 0) {
                    h.advanceMs(rnd.nextInt(3000));
                }
                h.take();
            }
            TcpHarness.readAll(s);
            assertTrue(h.tcp.connections() <= 1);
            assertEquals(true, h.tcp.stats().get(TcpCounter.IN_SEGS) >= 3000);
            TcpHarness.closeAll();
        }
    }
}
