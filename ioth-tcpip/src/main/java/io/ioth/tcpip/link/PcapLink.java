package io.ioth.tcpip.link;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

import java.io.IOException;
import java.time.Instant;
import java.util.Objects;
import java.util.function.LongSupplier;

/**
 * A {@link FrameLink} decorator that records every frame going in and out of the wrapped link into a
 * {@link PcapngWriter}, so a test's traffic opens in Wireshark or tshark (smoltcp {@code phy/pcap_writer.rs},
 * gVisor {@code link/sniffer}). Received frames are written as inbound and transmitted frames as outbound
 * ({@code epb_flags}). Each one is timestamped from the injected clock, so simulated-time tests get simulated
 * timestamps.
 *
 * <p>A transmitted frame is recorded before the wrapped link takes it, so frames that link then drops still appear:
 * they are what the stack sent.
 *
 * <p>Recording never disturbs the traffic. If the writer fails (disk full...), the failure is kept in
 * {@link #recordingError()}, recording stops, and frames keep flowing. Nothing is thrown out of
 * {@code receive}, {@code transmit}, {@code flush} or {@code close}.
 *
 * <p>Owner thread only, like every link. This decorator owns both the wrapped link and the writer, and
 * {@link #close()} closes both.
 */
public final class PcapLink implements FrameLink {
    private final FrameLink inner;
    private final PcapngWriter writer;
    private final LongSupplier clock;
    private final Recorder recorder = new Recorder();
    private IOException error;
    private boolean closed;

    /**
     * @param inner  the link whose traffic is recorded (owned)
     * @param writer where frames go (owned)
     * @param clock  the timestamp of each frame in nanoseconds, e.g. the simulated {@code now} or
     *               {@link #systemClock()}
     */
    public PcapLink(FrameLink inner, PcapngWriter writer, LongSupplier clock) {
        this.inner = Objects.requireNonNull(inner, "inner");
        this.writer = Objects.requireNonNull(writer, "writer");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /**
     * Wall-clock nanoseconds since the Unix epoch, read from {@link System#nanoTime()} offset once by
     * {@link Instant#now()}: monotonic, and at nanosecond resolution in the capture.
     */
    public static LongSupplier systemClock() {
        Instant now = Instant.now();
        long base = now.getEpochSecond() * 1_000_000_000L + now.getNano() - System.nanoTime();
        return () -> base + System.nanoTime();
    }

    /** The frame sink handed to the wrapped link: records, then passes the frame on (one instance, no allocation). */
    private final class Recorder implements FrameSink {
        FrameSink downstream;

        @Override
        public void onFrame(ByteBuf frame) {
            record(frame, PcapngWriter.Direction.INBOUND);
            downstream.onFrame(frame);
        }
    }

    @Override
    public int receive(FrameSink sink, int maxFrames) {
        Objects.requireNonNull(sink, "sink");
        FrameSink previous = recorder.downstream;
        recorder.downstream = sink;
        try {
            return inner.receive(recorder, maxFrames);
        } finally {
            recorder.downstream = previous; // a sink may call receive again (re-entrancy); restore, don't clear
        }
    }

    @Override
    public boolean transmit(ByteBuf frame) {
        record(frame, PcapngWriter.Direction.OUTBOUND);
        return inner.transmit(frame);
    }

    private void record(ByteBuf frame, PcapngWriter.Direction direction) {
        if (error != null || closed) {
            return;
        }
        try {
            writer.write(frame, clock.getAsLong(), direction);
        } catch (IOException e) {
            error = e;
        }
    }

    /** Flushes the wrapped link, then hands the recorded blocks to the writer's sink. */
    @Override
    public void flush() {
        inner.flush();
        if (error != null || closed) {
            return;
        }
        try {
            writer.flush();
        } catch (IOException e) {
            error = e;
        }
    }

    @Override
    public int maxFrameSize() {
        return inner.maxFrameSize();
    }

    @Override
    public ByteBufAllocator allocator() {
        return inner.allocator();
    }

    @Override
    public boolean isUp() {
        return inner.isUp();
    }

    /** The first failure of the writer, or {@code null} while recording works. */
    public IOException recordingError() {
        return error;
    }

    /** Frames recorded so far. */
    public long recorded() {
        return writer.packets();
    }

    /** Closes the wrapped link, then flushes and closes the writer. Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            inner.close();
        } finally {
            try {
                writer.close();
            } catch (IOException e) {
                if (error == null) {
                    error = e;
                } else {
                    error.addSuppressed(e);
                }
            }
        }
    }
}
