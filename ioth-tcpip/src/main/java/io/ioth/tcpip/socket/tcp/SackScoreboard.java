package io.ioth.tcpip.socket.tcp;

/**
 * The sender's record of what the peer has selectively acknowledged (RFC 2018 §5; RFC 6675 §2 "scoreboard"): the
 * disjoint SACKed ranges above SND.UNA, merged and sorted. Bounded ({@link #MAX_RANGES}; when full, the ranges
 * nearest SND.UNA are kept, they matter first for recovery). Allocated on the first SACK block, dropped when empty.
 *
 * <p><b>The seam for RFC 6675.</b> NewReno (RFC 6582) does not consult it; SACK-based loss recovery will build on
 * the queries below: {@link #isSacked} (RFC 6675 IsLost counts SACKed bytes above a sequence number:
 * {@link #sackedBytesAbove}), {@link #nextHole} (NextSeg rule 1: the first unSACKed byte after a point),
 * {@link #sackedBytes} (for "pipe"), {@link #highestSacked} (HighData/HighACK bookkeeping). Reneging (RFC 2018 §8)
 * is handled by clearing the board on an RTO ({@link #clear}), as RFC 6675 §5.1 recommends.
 *
 * <p>Not thread-safe: owner thread.
 */
final class SackScoreboard {
    static final int MAX_RANGES = 32;
    private int[] start;
    private int[] end;
    private int n;

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
     * @return the number of valid blocks
     */
    int update(final int[] blocks, final int blockCount, final int sndUna, final int sndMax) {
        int valid = 0;
        for (int k = 0; k < blockCount; k++) {
            final int l = blocks[2 * k];
            final int r = blocks[2 * k + 1];
            if (!Seq.lt(l, r) || !Seq.gt(l, sndUna) || Seq.gt(r, sndMax)) {
                continue;
            }
            valid++;
            add(l, r, sndUna);
        }
        return valid;
    }

    private void add(final int l, final int r, final int base) {
        if (start == null) {
            start = new int[8];
            end = new int[8];
        }
        int i = 0;
        while (i < n && Seq.lt(end[i], l)) {
            i++;
        }
        // i: first range that ends at or after l; merge every range overlapping or touching [l, r)
        int nl = l;
        int nr = r;
        int j = i;
        while (j < n && Seq.leq(start[j], nr)) {
            nl = Seq.min(nl, start[j]);
            nr = Seq.max(nr, end[j]);
            j++;
        }
        final int merged = j - i;
        if (merged == 0) {
            if (n == start.length) {
                if (n < MAX_RANGES) {
                    start = java.util.Arrays.copyOf(start, n * 2);
                    end = java.util.Arrays.copyOf(end, n * 2);
                } else if (i == n) {
                    return; // full: drop the highest new range
                } else {
                    n--; // full: forget the highest range to keep the lower ones
                }
            }
            System.arraycopy(start, i, start, i + 1, n - i);
            System.arraycopy(end, i, end, i + 1, n - i);
            n++;
        } else if (merged > 1) {
            System.arraycopy(start, j, start, i + 1, n - j);
            System.arraycopy(end, j, end, i + 1, n - j);
            n -= merged - 1;
        }
        start[i] = nl;
        end[i] = nr;
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
            n -= drop;
        }
        if (n > 0 && Seq.lt(start[0], sndUna)) {
            start[0] = sndUna;
        }
        if (n == 0) {
            start = null;
            end = null;
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

    void clear() {
        n = 0;
        start = null;
        end = null;
    }
}
