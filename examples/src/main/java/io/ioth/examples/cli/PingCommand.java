package io.ioth.examples.cli;

import io.ioth.tcpip.iface.IpAddr;
import io.ioth.tcpip.iface.NetError;
import io.ioth.tcpip.socket.icmp.PingReply;
import io.ioth.tcpip.socket.icmp.PingSocket;
import io.ioth.transport.IothIoHandle;
import io.ioth.transport.IothIoOps;
import io.ioth.transport.IothIoRegistration;
import io.netty.channel.IoEvent;
import io.netty.channel.IoEventLoop;
import io.netty.channel.IoRegistration;
import io.netty.util.concurrent.Future;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.PrintStream;
import java.net.InetAddress;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** {@code ioth ping --stack S HOST}: ICMP/ICMPv6 echo from an identity, printed as Linux's ping prints it. */
@Command(name = "ping", mixinStandardHelpOptions = true,
        description = {"Send ICMP (or ICMPv6) echo requests from a stack, like ping(8).",
                "Exit status 0 if a reply came back, 1 if none did."})
final class PingCommand implements Callable<Integer> {
    @Mixin
    StackOption stack;

    @Parameters(index = "0", paramLabel = "HOST", description = "Address (IPv4 or IPv6) or name to ping.")
    String host;

    @Option(names = {"-c", "--count"}, defaultValue = "4", description = "Echo requests to send (default ${DEFAULT-VALUE}).")
    int count;

    @Option(names = {"-i", "--interval"}, defaultValue = "1", description = "Seconds between requests (default ${DEFAULT-VALUE}).")
    double interval;

    @Option(names = {"-s", "--size"}, defaultValue = "56", description = "Data bytes per request (default ${DEFAULT-VALUE}).")
    int size;

    @Option(names = {"-W", "--timeout"}, defaultValue = "2", description = "Seconds to wait for the last reply (default ${DEFAULT-VALUE}).")
    double timeout;

    @Override
    public Integer call() throws Exception {
        if (count < 1 || interval < 0.001 || size < 0 || size > 65000 || timeout < 0) {
            throw new IllegalArgumentException("need --count >= 1, --interval >= 0.001, 0 <= --size <= 65000");
        }
        try (Node node = stack.open()) {
            final InetAddress target = node.resolve(host);
            final PrintStream out = System.out;
            final Pinger p = new Pinger(target, out);
            final IoEventLoop loop = node.loop();
            final Future<IoRegistration> reg = loop.register(p).sync();
            final IothIoRegistration r = reg.getNow().attachment();
            out.printf("PING %s (%s) %d(%d) bytes of data.%n", host, target.getHostAddress(), size,
                    size + (target.getAddress().length == 4 ? 28 : 48));
            loop.execute(() -> p.start(r));
            final long start = System.nanoTime();
            for (int seq = 1; seq <= count; seq++) {
                final int s = seq;
                loop.execute(() -> p.send(r, s, size));
                if (seq < count) {
                    p.replies.await((long) (interval * 1e9), TimeUnit.NANOSECONDS); // or all answered
                }
            }
            p.replies.await((long) (timeout * 1e9), TimeUnit.NANOSECONDS);
            final long elapsedMs = (System.nanoTime() - start) / 1_000_000;
            loop.submit(() -> r.cancel()).sync();
            return p.summary(host, elapsedMs);
        }
    }

    /** The ping socket's handle on the stack's loop; its fields belong to the loop thread until it is cancelled. */
    final class Pinger implements IothIoHandle {
        private final InetAddress target;
        private final PrintStream out;
        private final PingReply reply = new PingReply();
        final CountDownLatch replies = new CountDownLatch(count);
        private PingSocket socket;
        private volatile int sent, received, errors;
        private volatile long rttMin = Long.MAX_VALUE, rttMax, rttSum;
        private volatile double rttSq;

        Pinger(final InetAddress target, final PrintStream out) {
            this.target = target;
            this.out = out;
        }

        void start(final IothIoRegistration r) {
            socket = r.stack().openPing();
            r.attach(socket);
            r.submit(IothIoOps.READ);
        }

        void send(final IothIoRegistration r, final int seq, final int bytes) {
            if (socket == null || socket.isClosed()) {
                return;
            }
            final int rc = socket.send(IpAddr.hiOf(target), IpAddr.loOf(target), seq, bytes, r.nanoTime());
            sent = seq;
            if (rc != NetError.OK) {
                out.printf("From %s icmp_seq=%d %s%n", "local", seq, NetError.message(rc));
                errors++;
                replies.countDown();
            }
        }

        @Override
        public int readyOps() {
            return socket != null && socket.pending() > 0 ? IothIoOps.READ_BIT : 0;
        }

        @Override
        public void handle(final IoRegistration registration, final IoEvent ioEvent) {
            while (socket.receive(reply)) {
                final String from = IpAddr.format(reply.fromHi, reply.fromLo);
                if (reply.kind == PingReply.REPLY) {
                    final double ms = reply.rttNanos / 1e6;
                    out.printf("%d bytes from %s: icmp_seq=%d ttl=%d time=%.3f ms%s%s%n", reply.size + 8, from,
                            reply.seq, reply.ttl, ms, reply.duplicate ? " (DUP!)" : "",
                            reply.corrupted ? " (BAD DATA)" : "");
                    if (!reply.duplicate) {
                        received++;
                        rttMin = Math.min(rttMin, reply.rttNanos);
                        rttMax = Math.max(rttMax, reply.rttNanos);
                        rttSum += reply.rttNanos;
                        rttSq += (double) reply.rttNanos * reply.rttNanos;
                        replies.countDown();
                    }
                } else {
                    out.printf("From %s icmp_seq=%d ICMP type %d code %d%n", from, reply.seq, reply.icmpType,
                            reply.icmpCode);
                    errors++;
                    replies.countDown();
                }
            }
        }

        @Override
        public void close() {
            if (socket != null) {
                socket.close();
            }
        }

        @Override
        public void unregistered() {
            close();
        }

        int summary(final String name, final long elapsedMs) {
            out.printf("%n--- %s ping statistics ---%n", name);
            final int tx = sent;
            final int rx = received;
            out.printf("%d packets transmitted, %d received,%s %d%% packet loss, time %dms%n", tx, rx,
                    errors > 0 ? " +" + errors + " errors," : "", tx == 0 ? 0 : (tx - rx) * 100 / tx, elapsedMs);
            if (rx > 0) {
                final double avg = rttSum / (double) rx;
                final double mdev = Math.sqrt(Math.max(0, rttSq / rx - avg * avg));
                out.printf("rtt min/avg/max/mdev = %.3f/%.3f/%.3f/%.3f ms%n", rttMin / 1e6, avg / 1e6, rttMax / 1e6,
                        mdev / 1e6);
            }
            out.flush();
            return rx > 0 ? 0 : 1;
        }
    }
}
