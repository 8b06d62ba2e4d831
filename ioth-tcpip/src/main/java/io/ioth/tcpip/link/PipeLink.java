package io.ioth.tcpip.link;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

import java.util.ArrayDeque;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * One end of an in-memory Ethernet cable: two {@link FrameLink}s joined back to back, so a frame transmitted on one
 * end is received on the other (style.md §2 "a PipeLink pair (two stacks, one wire)"; smoltcp {@code phy/loopback.rs}
 * with two ends). For tests and benchmarks: two stacks on one thread, no switch, no syscalls.
 *
 * <pre>{@code
 * PipeLink.Pair wire = PipeLink.builder().capacity(64).loss(0.1, 42).pair();
 * wire.a().transmit(frame);                 // ownership moves to the pipe
 * wire.b().receive(f -> { ...; f.release(); }, 16);
 * }</pre>
 *
 * <p>Frames are not copied: the transmitted {@code ByteBuf} is the one received, so the sink's release frees it.
 * Each direction has a bounded queue of {@code capacity} frames. A frame is dropped, released and counted per
 * {@link Drop} reason when:
 * <ul>
 *   <li>it is longer than {@code maxFrameSize};</li>
 *   <li>the peer's queue is full;</li>
 *   <li>it is lost to the seeded loss;</li>
 *   <li>the pipe is down.</li>
 * </ul>
 * The loss draws are reproducible: each direction has its own {@link SplittableRandom} split from the seed, so what
 * one end sends does not change what the other end loses. The embedded switch in vde-channel has the full impairment
 * model (delay, reordering, bandwidth); this is deliberately small.
 *
 * <p>Closing either end takes the cable down: both ends report {@code !isUp()} and drop what they are given. Each
 * end's {@link #close()} releases the frames still queued for it; until then they can still be received.
 *
 * <p>Single-threaded: both ends belong to one owner thread. No allocation per frame once the queues have grown to
 * their high-water mark (they are preallocated to {@code capacity}).
 */
public final class PipeLink implements FrameLink {

    /** Why a pipe dropped a frame. */
    public enum Drop {
        /** Longer than {@code maxFrameSize}. */
        OVERSIZE,
        /** The receiving end's queue already held {@code capacity} frames. */
        QUEUE_FULL,
        /** Chosen by the seeded loss. */
        LOSS,
        /** The pipe was closed. */
        DOWN
    }

    /** The two ends of one pipe. */
    public record Pair(PipeLink a, PipeLink b) implements AutoCloseable {
        /** Closes both ends, releasing what is queued. */
        @Override
        public void close() {
            a.close();
            b.close();
        }
    }

    /** Shared state of the two ends. */
    private static final class Cable {
        boolean down;
    }

    private final Cable cable;
    private final ArrayDeque<ByteBuf> inbound;
    private final int capacity;
    private final int maxFrameSize;
    private final ByteBufAllocator allocator;
    private final double lossRate;
    private final SplittableRandom lossRandom;
    private final long[] drops = new long[Drop.values().length];
    private PipeLink peer;
    private long transmitted;
    private long received;
    private boolean closed;

    private PipeLink(Cable cable, int capacity, int maxFrameSize, ByteBufAllocator allocator, double lossRate,
                     SplittableRandom lossRandom) {
        this.cable = cable;
        this.capacity = capacity;
        this.inbound = new ArrayDeque<>(capacity);
        this.maxFrameSize = maxFrameSize;
        this.allocator = allocator;
        this.lossRate = lossRate;
        this.lossRandom = lossRandom;
    }

    /** A pipe with the defaults: 256 frames per direction, frames up to 1514 bytes, no loss, the default allocator. */
    public static Pair pair() {
        return builder().pair();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Options of a pipe. */
    public static final class Builder {
        private int capacity = 256;
        private int maxFrameSize = 1514;
        private ByteBufAllocator allocator = ByteBufAllocator.DEFAULT;
        private double lossRate;
        private long seed;

        private Builder() {
        }

        /** Frames each end can hold before further ones are dropped ({@link Drop#QUEUE_FULL}). Default 256. */
        public Builder capacity(int frames) {
            if (frames < 1) {
                throw new IllegalArgumentException("capacity must be >= 1: " + frames);
            }
            this.capacity = frames;
            return this;
        }

        /** The largest frame carried, Ethernet header included. Default 1514 (MTU 1500). */
        public Builder maxFrameSize(int bytes) {
            if (bytes < 14) {
                throw new IllegalArgumentException("maxFrameSize must hold an Ethernet header: " + bytes);
            }
            this.maxFrameSize = bytes;
            return this;
        }

        /** What {@link FrameLink#allocator()} returns on both ends. */
        public Builder allocator(ByteBufAllocator allocator) {
            this.allocator = Objects.requireNonNull(allocator, "allocator");
            return this;
        }

        /** Drops each frame with probability {@code rate}, drawn from generators seeded by {@code seed}. */
        public Builder loss(double rate, long seed) {
            if (!(rate >= 0.0 && rate <= 1.0)) {
                throw new IllegalArgumentException("loss rate must be in [0, 1]: " + rate);
            }
            this.lossRate = rate;
            this.seed = seed;
            return this;
        }

        public Pair pair() {
            Cable cable = new Cable();
            SplittableRandom root = new SplittableRandom(seed);
            // a's generator decides the loss of what a sends, b's of what b sends
            PipeLink a = new PipeLink(cable, capacity, maxFrameSize, allocator, lossRate, root.split());
            PipeLink b = new PipeLink(cable, capacity, maxFrameSize, allocator, lossRate, root.split());
            a.peer = b;
            b.peer = a;
            return new Pair(a, b);
        }
    }

    /** Queues {@code frame} for the other end, or drops (releases and counts) it. Takes ownership. */
    @Override
    public boolean transmit(ByteBuf frame) {
        Drop reason = null;
        if (cable.down) {
            reason = Drop.DOWN;
        } else if (frame.readableBytes() > maxFrameSize) {
            reason = Drop.OVERSIZE;
        } else if (lossRate > 0 && lossRandom.nextDouble() < lossRate) {
            reason = Drop.LOSS;
        } else if (peer.inbound.size() >= peer.capacity) {
            reason = Drop.QUEUE_FULL;
        }
        if (reason != null) {
            drops[reason.ordinal()]++;
            frame.release();
            return false;
        }
        peer.inbound.addLast(frame);
        transmitted++;
        return true;
    }

    /** Hands up to {@code maxFrames} queued frames to {@code sink}, oldest first. The sink owns each one. */
    @Override
    public int receive(FrameSink sink, int maxFrames) {
        int n = 0;
        ByteBuf f;
        while (n < maxFrames && (f = inbound.pollFirst()) != null) {
            n++;
            received++;
            sink.onFrame(f);
        }
        return n;
    }

    @Override
    public int maxFrameSize() {
        return maxFrameSize;
    }

    @Override
    public ByteBufAllocator allocator() {
        return allocator;
    }

    @Override
    public boolean isUp() {
        return !cable.down;
    }

    /** The other end. */
    public PipeLink peer() {
        return peer;
    }

    /** Frames waiting to be received on this end. */
    public int pending() {
        return inbound.size();
    }

    /** Frames this end queued for its peer. */
    public long transmitted() {
        return transmitted;
    }

    /** Frames this end handed to a sink. */
    public long received() {
        return received;
    }

    /** Frames this end dropped on transmit for {@code reason}. */
    public long dropped(Drop reason) {
        return drops[reason.ordinal()];
    }

    /** Takes the cable down and releases the frames queued for this end. Idempotent. */
    @Override
    public void close() {
        cable.down = true;
        if (closed) {
            return;
        }
        closed = true;
        ByteBuf f;
        while ((f = inbound.pollFirst()) != null) {
            f.release();
        }
    }
}
