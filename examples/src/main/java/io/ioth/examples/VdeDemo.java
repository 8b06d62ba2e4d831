package io.ioth.examples;

import io.ioth.vde.Vde;
import io.ioth.vde.VdeOptions;
import io.ioth.vde.VdePlug;
import io.ioth.vde.VdePoller;
import io.ioth.vde.sw.EmbeddedPlug;
import io.ioth.vde.sw.EmbeddedSwitch;
import io.ioth.vde.sw.Impairment;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.util.concurrent.MockTicker;
import io.netty.util.concurrent.Ticker;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The wire on its own, on the embedded default (nothing to install): three nodes on one switch
 * learn and forward like vde_switch, then a seeded, impaired link runs in simulated time.
 *
 * <pre>
 * java -cp examples/target/ioth-examples.jar io.ioth.examples.VdeDemo
 * </pre>
 */
public final class VdeDemo {
    private VdeDemo() {}

    public static void main(String[] args) throws IOException {
        learningSwitch();
        impairedLink();
    }

    private static void learningSwitch() throws IOException {
        System.out.println("== three nodes on switch://demo");
        try (VdePoller poller = new VdePoller();
             VdePlug a = Vde.open("switch://demo");
             VdePlug b = Vde.open("switch://demo");
             VdePlug c = Vde.open("switch://demo")) {
            for (VdePlug p : List.of(a, b, c)) poller.add(p);
            a.write(frame(0xffffffffffffL, 0x0a, 60));  // a broadcast from A: flooded to B and C
            show(poller, a, b, c);
            b.write(frame(0x0a, 0x0b, 60));             // B answers A: the switch learned A's port
            show(poller, a, b, c);
            a.write(frame(0x0b, 0x0a, 1514));           // A to B, now known: C hears nothing
            show(poller, a, b, c);
            EmbeddedSwitch sw = ((EmbeddedPlug) a).embeddedSwitch();
            System.out.println("switch: " + sw.stats());
        }
    }

    private static void impairedLink() throws IOException {
        System.out.println("== 1000 frames over a link with 5% loss, 20 ms delay, 2 ms jitter, 10 Mbit/s (seed 42)");
        MockTicker clock = Ticker.newMockTicker();
        VdeOptions sim = VdeOptions.defaults().withTicker(clock);
        EmbeddedSwitch sw = EmbeddedSwitch.builder().ticker(clock).create();
        try (VdePoller poller = new VdePoller(); EmbeddedPlug tx = sw.plug(sim); EmbeddedPlug rx = sw.plug(sim)) {
            poller.add(tx);
            poller.add(rx);
            rx.impair(Impairment.builder().loss(0.05).delay(Duration.ofMillis(20)).jitter(Duration.ofMillis(2))
                    .bandwidth(10_000_000).seed(42).ticker(clock).queueLimit(2048).build());
            rx.write(frame(0xffffffffffffL, 0x02, 60));      // let the switch learn rx
            tx.read(f -> f.release(), 1);
            for (int i = 0; i < 1000; i++) tx.write(frame(0x02, 0x01, 1000));
            int[] got = {0};
            long last = 0;
            while (rx.nextDeadlineNanos() != Long.MAX_VALUE) {  // advance simulated time to each delivery
                clock.advance(Math.max(0, rx.nextDeadlineNanos() - clock.nanoTime()), TimeUnit.NANOSECONDS);
                rx.read(f -> { got[0]++; f.release(); }, 64);
                last = clock.nanoTime();
            }
            System.out.printf("received %d of 1000, last at %.1f ms of simulated time; %s%n",
                    got[0], last / 1e6, rx.impairmentStats());
        } finally {
            sw.close();
        }
    }

    private static void show(VdePoller poller, VdePlug... plugs) {
        poller.await(TimeUnit.MILLISECONDS.toNanos(100));
        List<String> seen = new ArrayList<>();
        for (VdePlug p : plugs) {
            StringBuilder sb = new StringBuilder();
            p.read(f -> {
                sb.append(String.format("%012x->%012x %dB", f.getLong(6) >>> 16, f.getLong(0) >>> 16, f.readableBytes()));
                f.release();
            }, 16);
            seen.add("port " + ((EmbeddedPlug) p).port() + ": " + (sb.length() == 0 ? "-" : sb));
        }
        System.out.println("  " + String.join(" | ", seen));
    }

    /** An Ethernet frame of {@code size} bytes, EtherType 0x88b5 (local experimental). */
    private static ByteBuf frame(long dst, long src, int size) {
        ByteBuf f = PooledByteBufAllocator.DEFAULT.directBuffer(size);
        f.writeShort((int) (dst >>> 32)).writeInt((int) dst).writeShort((int) (src >>> 32)).writeInt((int) src);
        f.writeShort(0x88b5).writeZero(size - 14);
        return f;
    }
}
