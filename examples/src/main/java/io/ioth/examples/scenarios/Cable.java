package io.ioth.examples.scenarios;

import io.ioth.vde.FrameHandler;
import io.ioth.vde.Vde;
import io.ioth.vde.VdePlug;
import io.ioth.vde.VdePoller;
import io.ioth.vde.sw.EmbeddedPlug;
import io.ioth.vde.sw.Impairment;

/**
 * An Ethernet cable between two wires, in the JVM: every frame that arrives on one end goes out of the other, as
 * {@code vde_plug VNL1 VNL2} or {@code dpipe vde_plug VNL1 = vde_plug VNL2} (the loop of
 * {@link io.ioth.examples.VdeCable}, on a thread of its own). Cabling two switches makes one Ethernet segment of them:
 * each switch learns the other side's MACs on the cable's port.
 *
 * <p>When an end is an embedded switch, that direction of the cable can be impaired (loss, delay, jitter, bandwidth:
 * {@link Impairment}), which is how a scenario gets a bad link between two networks.
 *
 * <p>Thread-safe: the plugs are the cable thread's; {@link #impair} may be called from any thread.
 */
public final class Cable extends PlugLoop {
    private static final int BATCH = 64; // frames per end per turn: neither direction can starve the other

    private final String vnlA;
    private final String vnlB;
    private volatile VdePlug a;
    private volatile VdePlug b;
    private FrameHandler toA, toB; // loop thread

    private Cable(final String vnlA, final String vnlB) {
        super("cable " + vnlA + " = " + vnlB, "ioth cable to " + vnlB);
        this.vnlA = vnlA;
        this.vnlB = vnlB;
    }

    /** Plugs a cable into {@code vnlA} and {@code vnlB}. */
    public static Cable connect(final String vnlA, final String vnlB) throws Exception {
        final Cable c = new Cable(vnlA, vnlB);
        c.start();
        return c;
    }

    @Override
    protected void open(final VdePoller poller, final long now) throws Exception {
        a = Vde.open(vnlA, options);
        b = Vde.open(vnlB, options.withDescription("ioth cable to " + vnlA));
        toB = b::write; // write() takes ownership of each frame
        toA = a::write;
        poller.add(a);
        poller.add(b);
    }

    @Override
    protected long turn(final long now) {
        final VdePlug pa = a, pb = b;
        pa.read(toB, BATCH);
        pb.read(toA, BATCH);
        pa.flush();
        pb.flush();
        return Long.MAX_VALUE; // the poller knows the plugs' own deadlines (impairment delays, reconnects)
    }

    @Override
    protected void release() {
        if (a != null) {
            a.close();
        }
        if (b != null) {
            b.close();
        }
    }

    /**
     * Impairs the frames that enter the cable from {@code vnlA} and leave it into {@code vnlB} (null: a clean link
     * again). {@code vnlA} must be an embedded switch: the impairment is that switch's, on the cable's port.
     */
    public void impairTowardB(final Impairment impairment) {
        embedded(a).impair(impairment);
    }

    /** Impairs the frames going from {@code vnlB} to {@code vnlA}; see {@link #impairTowardB}. */
    public void impairTowardA(final Impairment impairment) {
        embedded(b).impair(impairment);
    }

    /** The cable's port number on the embedded switch of {@code vnlA}, or -1 if that is not an embedded switch. */
    public int portA() {
        return a instanceof EmbeddedPlug e ? e.port() : -1;
    }

    /** The cable's port number on the embedded switch of {@code vnlB}, or -1. */
    public int portB() {
        return b instanceof EmbeddedPlug e ? e.port() : -1;
    }

    private static EmbeddedPlug embedded(final VdePlug p) {
        if (p instanceof EmbeddedPlug e) {
            return e;
        }
        throw new IllegalStateException(p + " is not a port of an embedded switch: it cannot be impaired here");
    }

    @Override
    public String toString() {
        return "cable " + vnlA + " = " + vnlB;
    }
}
