package io.ioth.tcpip.socket.tcp;

/**
 * The retransmissions of the current loss recovery, to notice when one of them is lost in turn (RACK, RFC 8985 §6.2,
 * does this by send time; Linux's older {@code tcp_mark_lost_retrans} by sequence): a retransmission sent at
 * {@code sentAt} while HighData was {@code high} is lost if, while it is still neither acknowledged nor SACKed, data
 * sent after it (above {@code high}) has been SACKed: more than (DupThresh - 1) * SMSS of it, or any of it for a
 * reordering window (RACK: sent before a delivered segment, and RTT + reo_wnd passed). RFC 6675 alone would wait for
 * the retransmission timer, since NextSeg() never goes below HighRxt again.
 *
 * <p>Bounded ({@link #CAPACITY} entries; retransmissions beyond it are only covered by the timer); allocated at the
 * first retransmission of a recovery and dropped when it ends.
 *
 * <p>Not thread-safe: owner thread.
 */
final class RetransmitLog {
    static final int CAPACITY = 32;
    private final int[] start = new int[CAPACITY];
    private final int[] end = new int[CAPACITY];
    private final int[] high = new int[CAPACITY];
    private final long[] sentAt = new long[CAPACITY];
    private final boolean[] lost = new boolean[CAPACITY];
    private int n;

    int size() {
        return n;
    }

    /** Records the retransmission of {@code [s, e)} while SND.MAX was {@code hi} (an earlier record of the same range
     * is updated: it was resent). */
    void add(final int s, final int e, final int hi, final long now) {
        for (int i = 0; i < n; i++) {
            if (start[i] == s) {
                end[i] = Seq.max(end[i], e);
                high[i] = hi;
                sentAt[i] = now;
                lost[i] = false;
                return;
            }
        }
        if (n < CAPACITY) {
            start[n] = s;
            end[n] = e;
            high[n] = hi;
            sentAt[n] = now;
            lost[n] = false;
            n++;
        }
    }

    /**
     * Forgets what was acknowledged or SACKed, and marks lost what has been overtaken: more than
     * {@code (dupThresh - 1) * smss} bytes SACKed above its {@code high} (if {@code dupThresh > 0}), or any, SACKed
     * {@code reoWnd} ago and at least {@code minRtt} after the retransmission.
     *
     * @return the number of retransmissions newly found lost
     */
    int update(final int sndUna, final SackScoreboard b, final int sndMax, final int dupThresh, final int smss,
               final long now, final long reoWnd, final long minRtt) {
        int found = 0;
        int w = 0;
        for (int i = 0; i < n; i++) {
            final int s = Seq.max(start[i], sndUna);
            final int e = end[i];
            if (!Seq.lt(s, e) || (b != null && b.sackedBytesIn(s, e) == e - s)) {
                continue; // delivered
            }
            if (!lost[i] && b != null && Seq.lt(high[i], sndMax)) {
                final int above = b.sackedBytesIn(high[i], sndMax);
                if (above > 0 && ((dupThresh > 0 && above > (dupThresh - 1) * smss)
                        || now - Math.max(b.earliestSackAbove(high[i]), sentAt[i] + minRtt) >= reoWnd)) {
                    lost[i] = true;
                    found++;
                }
            }
            start[w] = s;
            end[w] = e;
            high[w] = high[i];
            sentAt[w] = sentAt[i];
            lost[w] = lost[i];
            w++;
        }
        n = w;
        return found;
    }

    /** Index of the first retransmission marked lost and not yet resent, or -1. */
    int firstLost() {
        for (int i = 0; i < n; i++) {
            if (lost[i]) {
                return i;
            }
        }
        return -1;
    }

    int start(final int i) {
        return start[i];
    }

    int end(final int i) {
        return end[i];
    }

    /** The unSACKed bytes of retransmissions marked lost and not yet resent: they left the network (SetPipe()). */
    int lostBytes(final int sndUna, final SackScoreboard b) {
        int bytes = 0;
        for (int i = 0; i < n; i++) {
            if (lost[i]) {
                final int s = Seq.max(start[i], sndUna);
                if (Seq.lt(s, end[i])) {
                    bytes += (end[i] - s) - (b == null ? 0 : b.sackedBytesIn(s, end[i]));
                }
            }
        }
        return bytes;
    }
}
