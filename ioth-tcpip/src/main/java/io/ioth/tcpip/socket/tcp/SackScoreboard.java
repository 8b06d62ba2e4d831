package io.ioth.tcpip.socket.tcp;

/**
 * The sender's record of what the peer has selectively acknowledged (RFC 2018 §5; RFC 6675 §2 "scoreboard"): the
 * disjoint SACKed ranges above SND.UNA, merged and sorted. Bounded ({@link #MAX_RANGES}; when full, the ranges
 * nearest SND.UNA are kept, they matter first for recovery). Allocated on the first SACK block, dropped when empty.
 *
 * <p>Each range remembers when its data was first SACKed ({@code since}), which stands in for RACK's per-segment
 * delivery times (RFC 8985): a hole whose data above was SACKed a reordering window ago is lost.
 *
 * <p>The queries of RFC 6675 §4 work on ranges, not octets, so each is O(ranges): {@link #lostBoundary} is IsLost()
 * for every octet at once (IsLost is monotone: an octet below a lost one is lost too), {@link #sackedBytesIn} gives
 * SetPipe() its "not SACKed" counts, {@link #nextHole} and {@link #holeEnd} give NextSeg() the next unSACKed range.
 * Reneging (RFC 2018 §8) is detected on the cumulative ACK ({@link #covers}) and answered by clearing the board; the
 * board is otherwise kept across a retransmission timeout (RFC 6675 §5.1 with Errata 1610, as Linux
 * {@code tcp_enter_loss} does).
 *
 * <p>Not thread-safe: owner thread.
 */
final class SackScoreboard {
    static final int MAX_RANGES = 32;
    private int[] start;
    private int[] end;
    /** When each range's earliest part was first SACKed. */
    private long[] since;
    private int n;
    /** Set by {@link #lostBoundary}: when the lowest hole not yet lost becomes lost by time, or Long.MAX_VALUE. */
    long nextLossAt = Long.MAX_VALUE;

    int ranges() {
        return n;
    }

    boolean isEmpty() {
        return n == 0;
    }

    /**
     * Adds the peer's SACK blocks, keeping only valid ones: {@code SND.UNA < left < right <= SND.MAX} (Linux
     * {@code tcp_is_sackblock_valid}; a D-SACK block below SND.UNA, RFC 2883, is ignored).
     *
     * @return the bytes this update newly SACKed (RFC 6675 §2: an ACK that SACKs previously unSACKed octets is a
     *         duplicate acknowledgment)
     */
    int update(final int[] blocks, final int blockCount, final int sndUna, final int sndMax, final long now) {
        final int before = sackedBytes();
        for (int k = 0; k < blockCount; k++) {
            final int l = blocks[2 * k];
            final int r = blocks[2 * k + 1];
            if (!Seq.lt(l, r) || !Seq.gt(l, sndUna) || Seq.gt(r, sndMax)) {
                continue;
            }
            add(l, r, now);
        }
        return sackedBytes() - before;
    }

    private void add(final int l, final int r, final long now) {
        if (start == null) {
            start = new int[8];
            end = new int[8];
            since = new long[8];
        }
        int i = 0;
        while (i < n && Seq.lt(end[i], l)) {
            i++;
        }
        // i: first range that ends at or after l; merge every range overlapping or touching [l, r)
        int nl = l;
        int nr = r;
        long t = now;
        int j = i;
        while (j < n && Seq.leq(start[j], nr)) {
            nl = Seq.min(nl, start[j]);
            nr = Seq.max(nr, end[j]);
            t = Math.min(t, since[j]);
            j++;
        }
        final int merged = j - i;
        if (merged == 0) {
            if (n == start.length) {
                if (n < MAX_RANGES) {
                    start = java.util.Arrays.copyOf(start, n * 2);
                    end = java.util.Arrays.copyOf(end, n * 2);
                    since = java.util.Arrays.copyOf(since, n * 2);
                } else if (i == n) {
                    return; // full: drop the highest new range
                } else {
                    n--; // full: forget the highest range to keep the lower ones
                }
            }
            System.arraycopy(start, i, start, i + 1, n - i);
            System.arraycopy(end, i, end, i + 1, n - i);
            System.arraycopy(since, i, since, i + 1, n - i);
            n++;
        } else if (merged > 1) {
            System.arraycopy(start, j, start, i + 1, n - j);
            System.arraycopy(end, j, end, i + 1, n - j);
            System.arraycopy(since, j, since, i + 1, n - j);
            n -= merged - 1;
        }
        start[i] = nl;
        end[i] = nr;
        since[i] = t;
    }

    /** SND.UNA advanced: forget what is now cumulatively acknowledged. */
    void ackedTo(final int sndUna) {
        int drop = 0;
        while (drop < n && Seq.leq(end[drop], sndUna)) {
            drop++;
        }
        if (drop > 0) {
            System.arraycopy(start, drop, start, 0, n - drop);
            System.arraycopy(end, drop, end, 0, n - drop);
            System.arraycopy(since, drop, since, 0, n - drop);
            n -= drop;
        }
        if (n > 0 && Seq.lt(start[0], sndUna)) {
            start[0] = sndUna;
        }
        if (n == 0) {
            start = null;
            end = null;
            since = null;
        }
    }

    boolean isSacked(final int s) {
        for (int i = 0; i < n; i++) {
            if (Seq.inRange(s, start[i], end[i])) {
                return true;
            }
        }
        return false;
    }

    int sackedBytes() {
        int b = 0;
        for (int i = 0; i < n; i++) {
            b += end[i] - start[i];
        }
        return b;
    }

    /** SACKed bytes above {@code s} (RFC 6675 IsLost: lost if at least DupThresh*SMSS are SACKed above). */
    int sackedBytesAbove(final int s) {
        int b = 0;
        for (int i = n - 1; i >= 0 && Seq.gt(end[i], s); i--) {
            b += end[i] - Seq.max(start[i], s);
        }
        return b;
    }

    /** The first sequence number at or after {@code s} that is not SACKed. */
    int nextHole(final int s) {
        int x = s;
        for (int i = 0; i < n; i++) {
            if (Seq.inRange(x, start[i], end[i])) {
                x = end[i];
            }
        }
        return x;
    }

    /** The end of the highest SACKed range, or {@code dflt} if none. */
    int highestSacked(final int dflt) {
        return n == 0 ? dflt : end[n - 1];
    }

    /** The start of the highest SACKed range (the board is not empty). */
    int topStart() {
        return start[n - 1];
    }

    /** The end of the unSACKed range containing {@code s}: the start of the first SACKed range above it, or
     * {@code dflt} if none is. */
    int holeEnd(final int s, final int dflt) {
        for (int i = 0; i < n; i++) {
            if (Seq.gt(start[i], s)) {
                return start[i];
            }
        }
        return dflt;
    }

    /** The start of the unSACKed range ending at {@code e} (exclusive): the end of the highest SACKed range at or
     * below it, or {@code dflt} if none is. */
    int holeStart(final int e, final int dflt) {
        for (int i = n - 1; i >= 0; i--) {
            if (Seq.leq(end[i], e)) {
                return end[i];
            }
        }
        return dflt;
    }

    /** SACKed bytes within {@code [from, to)}. */
    int sackedBytesIn(final int from, final int to) {
        int b = 0;
        for (int i = 0; i < n; i++) {
            final int l = Seq.max(start[i], from);
            final int r = Seq.min(end[i], to);
            if (Seq.lt(l, r)) {
                b += r - l;
            }
        }
        return b;
    }

    /**
     * IsLost() for all octets at once: RFC 6675 §4's count, "either DupThresh discontiguous SACKed sequences have
     * arrived above 'SeqNum' or more than (DupThresh - 1) * SMSS bytes with sequence numbers greater than 'SeqNum'
     * have been SACKed" (if {@code dupThresh > 0}), or RACK's time (RFC 8985 §6.2 step 5): data above was SACKed at
     * least {@code reoWnd} ago. Every unSACKed octet below the returned sequence number is lost, none at or above
     * it; {@link #nextLossAt} tells when the next hole will be lost by time.
     *
     * @return the start of the highest SACKed range with a lost hole below it, or {@code dflt}
     */
    int lostBoundary(final int dupThresh, final int smss, final int dflt, final long now, final long reoWnd) {
        long above = 0;
        long earliest = Long.MAX_VALUE;
        long next = Long.MAX_VALUE;
        for (int i = n - 1; i >= 0; i--) {
            above += end[i] - start[i];
            earliest = Math.min(earliest, since[i]);
            final boolean byCount = dupThresh > 0 && (n - i >= dupThresh || above > (long) (dupThresh - 1) * smss);
            if (byCount || now - earliest >= reoWnd) {
                nextLossAt = next;
                return start[i];
            }
            next = earliest + reoWnd;
        }
        nextLossAt = next;
        return dflt;
    }

    /** The earliest time data at or above {@code seq} was SACKed, or Long.MAX_VALUE if none is. */
    long earliestSackAbove(final int seq) {
        long t = Long.MAX_VALUE;
        for (int i = n - 1; i >= 0 && Seq.gt(end[i], seq); i--) {
            t = Math.min(t, since[i]);
        }
        return t;
    }

    /** Whether a cumulative ACK at {@code ack} falls on SACKed data: the receiver dropped what it had SACKed (RFC 2018
     * §8 reneging; Linux {@code tcp_check_sack_reneging}). Asked before {@link #ackedTo}. */
    boolean covers(final int ack) {
        for (int i = 0; i < n; i++) {
            if (Seq.leq(start[i], ack) && Seq.lt(ack, end[i])) {
                return true;
            }
        }
        return false;
    }

    void clear() {
        n = 0;
        start = null;
        end = null;
        since = null;
    }
}
