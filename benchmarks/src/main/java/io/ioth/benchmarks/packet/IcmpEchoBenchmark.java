package io.ioth.benchmarks.packet;

import io.ioth.benchmarks.Op;
import io.ioth.tcpip.stats.Counter;
import io.ioth.tcpip.wire.IpProtocol;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * ICMP echo request → echo reply, per frame: the stack polls a batch of echo requests off its link
 * (Ethernet, IPv4 header checksum, the ICMP checksum over the whole message), routes the reply,
 * turns each request into its reply in the request's own buffer (type, addresses, TTL, RFC 1624
 * incremental checksums; the engine's {@code ICMP4_OUT_ECHO_REPS_IN_PLACE}), resolves A in the
 * neighbour cache, writes the Ethernet header and transmits it on the link, which releases it.
 * Time per packet and {@code -prof gc} bytes per packet; {@code payload} is the echo data (64: a
 * 106-byte frame as {@code ping -s 64} sends; 1472: a full 1514-byte frame). The link's share is
 * {@link LinkBaselineBenchmark}.
 *
 * <p>Each reply is released by the link as it is sent, inside the poll, so buffers go back to
 * Netty's recycler one at a time and the batch size is not an allocation matter here (unlike
 * {@link UdpReceiveBenchmark}, whose datagrams wait in a socket): {@code batch=32} as there.
 *
 * <pre>
 * java -jar benchmarks/target/benchmarks.jar IcmpEcho -prof gc
 * </pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
// FastThreadLocalThread workers, as on an event loop (see FastThreadLocalExecutor); no leak
// detection, whose sampled stack traces would be the only allocation measured
@Fork(value = 1, jvmArgsAppend = {"-Djmh.executor=CUSTOM",
        "-Djmh.executor.class=io.ioth.benchmarks.FastThreadLocalExecutor",
        "-Dio.netty.leakDetection.level=disabled"})
public class IcmpEchoBenchmark {
    /** Packets per benchmark invocation: {@code PACKETS / batch} polls. */
    static final int PACKETS = 64;

    @Param({"64", "1472"})
    public int payload;

    @Param({"32"})
    public int batch;

    private PacketStack s;
    private long receivedBefore, transmittedBefore, inPlaceBefore;

    @Setup(Level.Trial)
    public void setUp() {
        if (batch < 1 || PACKETS % batch != 0) {
            throw new IllegalArgumentException("batch must divide " + PACKETS + ": " + batch);
        }
        s = new PacketStack(batch);
        s.link.replay(Frames.icmpEchoRequest(payload));
        receivedBefore = s.link.received();
        transmittedBefore = s.link.transmitted();
        inPlaceBefore = s.stack.stats().get(Counter.ICMP4_OUT_ECHO_REPS_IN_PLACE);
        // one round by hand: the first reply is a valid echo reply to A with the request's data
        s.link.captureNext();
        s.poll();
        int len = Frames.checkFromBToA(s.link.captured(), IpProtocol.ICMP);
        if (len != 8 + payload) {
            throw new IllegalStateException("echo reply of " + len + " bytes for " + payload + " bytes of data");
        }
    }

    @Benchmark
    @OperationsPerInvocation(PACKETS)
    @Op(value = "packet", plural = "packets")
    public int echo() {
        int n = 0;
        for (int i = PACKETS / batch; i > 0; i--) {
            n += s.poll();
        }
        return n;
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        try {
            s.checkSteady();
            long requests = s.link.received() - receivedBefore;
            long replies = s.link.transmitted() - transmittedBefore;
            long inPlace = s.stack.stats().get(Counter.ICMP4_OUT_ECHO_REPS_IN_PLACE) - inPlaceBefore;
            if (replies != requests || inPlace != requests) {
                throw new IllegalStateException(requests + " echo requests, " + replies + " frames sent, " + inPlace
                        + " replies built in place: " + s.stack.stats());
            }
        } finally {
            s.close();
        }
    }
}
