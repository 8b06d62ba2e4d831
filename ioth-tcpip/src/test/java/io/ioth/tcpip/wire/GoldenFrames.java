package io.ioth.tcpip.wire;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Public access to the golden frames of {@link Captures} (package-private there) for tests outside the wire package
 * and for the fuzz seed corpus. Every call returns fresh copies.
 */
public final class GoldenFrames {
    private GoldenFrames() {
    }

    /** Every {@code static final byte[]} of {@link Captures}, by constant name, in declaration order. */
    public static Map<String, byte[]> all() {
        Map<String, byte[]> m = new LinkedHashMap<>();
        for (Field f : Captures.class.getDeclaredFields()) {
            int mod = f.getModifiers();
            if (Modifier.isStatic(mod) && f.getType() == byte[].class) {
                try {
                    f.setAccessible(true);
                    m.put(f.getName(), ((byte[]) f.get(null)).clone());
                } catch (IllegalAccessException e) {
                    throw new AssertionError(e);
                }
            }
        }
        return Collections.unmodifiableMap(m);
    }

    /** The ICMP echo request 10.0.0.1 &gt; 10.0.0.2, id 0x1c88 seq 1 ({@link Captures#ICMP4_ECHO_REQUEST}). */
    public static byte[] icmp4EchoRequest() {
        return Captures.ICMP4_ECHO_REQUEST.clone();
    }

    /** Its echo reply ({@link Captures#ICMP4_ECHO_REPLY}). */
    public static byte[] icmp4EchoReply() {
        return Captures.ICMP4_ECHO_REPLY.clone();
    }

    /** ARP request who-has 10.0.0.2 tell 10.0.0.1 ({@link Captures#ARP_REQUEST}). */
    public static byte[] arpRequest() {
        return Captures.ARP_REQUEST.clone();
    }
}
