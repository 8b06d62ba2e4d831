package io.ioth.examples.scenarios;

import io.ioth.examples.NetAppliance;
import io.ioth.tcpip.wire.MacAddr;
import io.ioth.vde.sw.EmbeddedSwitch;
import io.netty.channel.EventLoopGroup;

import java.io.PrintStream;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.LongFunction;

/**
 * Scenario 3 — migration: a daemon (the Net Appliance) with a fixed MAC and IP runs behind switch A; it is stopped
 * and started again, same MAC, same IP, behind switch B, which is cabled to A. A client on A that keeps asking
 * {@code GET /} reconnects to the same IP as soon as the daemon is back: the daemon's stack announces its address
 * with a gratuitous ARP (RFC 5227 §2.3) when it comes up, so both switches relearn where its MAC is at once (switch A
 * flushed the MAC with the daemon's port, vde-protocol.md §1.5; switch B moves it from the cable's port to the
 * daemon's). The scenario measures the outage: from the stop to the first answer from B.
 *
 * <pre>
 *   client 10.3.0.20 ── switch A ═══ cable ═══ switch B
 *                          │                      │
 *        daemon 10.3.0.10 ─┘  ── stop, restart ──> └─ daemon 10.3.0.10 (same MAC)
 * </pre>
 *
 * A switch moves a known MAC to another port only when its entry is older than the <em>min persistence</em>
 * (3 s, vde-protocol.md §1.6): switch B learned the daemon's MAC on the cable's port from its broadcasts (its two
 * gratuitous ARPs, 2 s apart), so the daemon serves {@link #SETTLE} on A first (it would anyway: a daemon that is
 * migrated has been running). Moved sooner, the daemon stays unreachable until B's entry is old enough.
 *
 * <p>{@code java -cp examples/target/ioth-examples.jar io.ioth.examples.scenarios.Migration} runs it on two embedded
 * switches joined by an in-JVM {@link Cable}; {@link #run} takes any two cabled VNLs (the test also runs it on two
 * real {@code vde_switch}es joined by {@code dpipe vde_plug = vde_plug}).
 */
public final class Migration {
    /** The daemon's fixed identity (all but the wire). */
    public static final String DAEMON = "mac=02:00:00:00:0d:01,ip=10.3.0.10/24";
    public static final long DAEMON_MAC = 0x02_00_00_00_0d_01L;
    public static final String DAEMON_IP = "10.3.0.10";
    /**
     * How long the daemon serves on A before it moves. Its last broadcast crosses the cable 2 s after it starts (the
     * second gratuitous ARP, RFC 5227 §2.3: ANNOUNCE_NUM 2, ANNOUNCE_INTERVAL 2 s), and switch B moves the MAC only
     * 3 s after that (min persistence): 5.5 s. (vde_switch counts whole seconds: give it 6.5 s.)
     */
    public static final Duration SETTLE = Duration.ofMillis(5_500);
    /** One reconnection attempt: SYN and answer within this (then the client tries again at once). */
    private static final long ATTEMPT_MILLIS = 250;

    private Migration() {
    }

    /**
     * What the client saw and what the switches learned.
     *
     * @param outageNanos from the stop of the daemon on A to the client's first answer from B
     * @param stopNanos   how long the stop took (the group shut down)
     * @param startNanos  how long the start on B took (stack up, listening)
     * @param failed      the client's failed attempts during the outage
     */
    public record Result(String before, String after, long outageNanos, long stopNanos, long startNanos, int failed,
                         String learnedBefore, String learnedAfter) {
    }

    public static void main(final String[] args) throws Exception {
        final String a = Lab.uniqueSwitch("mig-a");
        final String b = Lab.uniqueSwitch("mig-b");
        try (Cable cable = Cable.connect(a, b)) {
            final EmbeddedSwitch swA = EmbeddedSwitch.named(a.substring("switch://".length()), false);
            final EmbeddedSwitch swB = EmbeddedSwitch.named(b.substring("switch://".length()), false);
            System.out.println(cable + ": port " + cable.portA() + " on A, port " + cable.portB() + " on B");
            run(a, b, SETTLE, mac -> where(swA.lookup(mac), cable.portA(), swB.lookup(mac), cable.portB()), System.out);
        }
    }

    /**
     * Runs the migration between two wires that are already cabled together.
     *
     * @param settle  how long the daemon serves on A before it moves ({@link #SETTLE})
     * @param whereIs where the two switches have learned a MAC (printed before and after), e.g.
     *                {@link #where} ({@code "A port 2 (direct), B port 1 (the cable)"})
     */
    public static Result run(final String vnlA, final String vnlB, final Duration settle,
                             final LongFunction<String> whereIs, final PrintStream out) throws Exception {
        try (Lab lab = new Lab()) {
            final EventLoopGroup onA = lab.stack("vnl=" + vnlA + ",eth," + DAEMON);
            final NetAppliance daemonA = NetAppliance.start(onA, 80, 7, () -> "daemon on " + vnlA, line -> { });
            final long settled = System.nanoTime() + settle.toNanos();
            out.println("daemon  " + DAEMON_IP + " " + MacAddr.format(DAEMON_MAC) + " up on " + vnlA);

            final EventLoopGroup client = lab.stack("vnl=" + vnlA + ",eth,ip=10.3.0.20/24");
            final String before = Lab.get(client, DAEMON_IP, 80, "/", 10, TimeUnit.SECONDS);
            int served = 1;
            while (System.nanoTime() - settled < 0) { // a daemon in use: the client keeps asking
                Lab.get(client, DAEMON_IP, 80, "/", 10, TimeUnit.SECONDS);
                served++;
            }
            final String learnedBefore = whereIs.apply(DAEMON_MAC);
            out.println("client  10.3.0.20 on " + vnlA + ": " + served + " answers from '" + before + "'; daemon's MAC "
                    + "learned at " + learnedBefore);

            final Reconnector user = lab.add(new Reconnector(client, vnlB));
            final long t0 = System.nanoTime();
            daemonA.close();
            Lab.stop(onA); // the stack leaves switch A: its port closes, A forgets the daemon's MAC
            final long stopped = System.nanoTime();
            final EventLoopGroup onB = lab.stack("vnl=" + vnlB + ",eth," + DAEMON); // same MAC, same IP
            lab.add(NetAppliance.start(onB, 80, 7, () -> "daemon on " + vnlB, line -> { }));
            final long started = System.nanoTime();
            out.println("daemon  stopped on " + vnlA + " in " + Lab.ms(stopped - t0) + ", up again on " + vnlB
                    + " in " + Lab.ms(started - stopped));

            final Reconnector.Answer first = user.firstAnswerFromB.get(20, TimeUnit.SECONDS);
            final long outage = first.atNanos() - t0;
            final String learnedAfter = whereIs.apply(DAEMON_MAC);
            out.println("client  reconnected to " + DAEMON_IP + ": '" + first.body() + "' after " + user.failed
                    + " failed attempts; daemon's MAC now learned at " + learnedAfter);
            out.println("outage  " + Lab.ms(outage) + " (stop to first answer; each attempt gives up after "
                    + ATTEMPT_MILLIS + " ms)");
            return new Result(before, first.body(), outage, stopped - t0, started - stopped, user.failed,
                    learnedBefore, learnedAfter);
        }
    }

    /** {@code A port 2 (direct), B port 1 (the cable)}: where two switches learned a MAC, given the cable's ports
     * (a port of -1: not learned). */
    public static String where(final int portA, final int cableA, final int portB, final int cableB) {
        return "A " + label(portA, cableA) + ", B " + label(portB, cableB);
    }

    private static String label(final int port, final int cable) {
        return port < 0 ? "nowhere" : "port " + port + (port == cable ? " (the cable)" : " (direct)");
    }

    /** The client during the move: asks {@code GET /} back to back, each attempt bounded, until B answers. */
    private static final class Reconnector implements AutoCloseable {
        record Answer(String body, long atNanos) {
        }

        final CompletableFuture<Answer> firstAnswerFromB = new CompletableFuture<>();
        private final Thread thread;
        private volatile boolean stop;
        volatile int failed;

        Reconnector(final EventLoopGroup client, final String vnlB) {
            thread = new Thread(() -> {
                while (!stop && !firstAnswerFromB.isDone()) {
                    try {
                        final String body = Lab.get(client, DAEMON_IP, 80, "/", ATTEMPT_MILLIS, TimeUnit.MILLISECONDS);
                        if (body.endsWith(vnlB)) {
                            firstAnswerFromB.complete(new Answer(body, System.nanoTime()));
                        }
                    } catch (Exception e) {
                        failed++; // a refused, timed-out or cut attempt: try again at once
                    }
                }
            }, "migration client");
            thread.setDaemon(true);
            thread.start();
        }

        @Override
        public void close() throws InterruptedException {
            stop = true;
            thread.join(TimeUnit.SECONDS.toMillis(5));
        }
    }
}
