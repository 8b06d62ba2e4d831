package io.ioth.examples;

import io.ioth.vde.FrameHandler;
import io.ioth.vde.PlugListener;
import io.ioth.vde.Vde;
import io.ioth.vde.VdeOptions;
import io.ioth.vde.VdePlug;
import io.ioth.vde.VdePoller;

import java.io.IOException;

/**
 * Joins two wires into one cable, like {@code vde_plug VNL1 VNL2}: every frame that arrives on one
 * side is sent out on the other. One thread and one {@link VdePoller} serve both plugs.
 *
 * <pre>
 * java -cp ioth-examples.jar io.ioth.examples.VdeCable vde:///tmp/sw1 vde:///tmp/sw2
 *
 * # the far end of a real cable: dpipe connects vde_plug's stdin/stdout to ours (stdio://)
 * dpipe vde_plug vde:///tmp/sw1 = java -cp ioth-examples.jar io.ioth.examples.VdeCable stdio:// "cmd://vde_plug vde:///tmp/sw2"
 * </pre>
 *
 * The program ends when either side disconnects (a switch dies, the cable's other end exits), and
 * closes the other side. With {@code stdio://}, stdout carries frames: messages go to stderr only.
 */
public final class VdeCable {
    private static final int BATCH = 64; // frames per side per loop turn: neither side can starve the other

    private VdeCable() {}

    public static void main(String[] args) throws IOException {
        if (args.length != 2) {
            System.err.println("usage: VdeCable VNL1 VNL2   (e.g. stdio:// vde:///tmp/sw)");
            System.exit(2);
        }
        String[] down = new String[1];
        VdeOptions options = VdeOptions.defaults().withListener(new PlugListener() {
            @Override
            public void onDisconnected(VdePlug plug, Throwable cause) {
                down[0] = plug.vnl() + " disconnected" + (cause == null ? "" : ": " + cause.getMessage());
            }
        });
        try (VdePoller poller = new VdePoller();
             VdePlug a = Vde.open(args[0], options);
             VdePlug b = Vde.open(args[1], options)) {
            poller.add(a);
            poller.add(b);
            FrameHandler toB = b::write, toA = a::write; // write() takes ownership of each frame
            while (down[0] == null) {
                long deadline = poller.nextDeadlineNanos(); // only auto-reconnecting plugs have one
                poller.await(deadline == Long.MAX_VALUE ? -1
                        : Math.max(0, deadline - options.ticker().nanoTime()));
                a.read(toB, BATCH);
                b.read(toA, BATCH);
                a.flush();
                b.flush();
            }
            System.err.println("VdeCable: " + down[0] + "; " + a.vnl() + " " + a.stats() + ", " + b.vnl() + " " + b.stats());
        }
    }
}
