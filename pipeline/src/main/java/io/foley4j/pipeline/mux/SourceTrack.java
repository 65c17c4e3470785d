package io.foley4j.pipeline.mux;

/**
 * A track copied from the input: its 'trak' box and where its chunks lie. A chunk is a run of samples stored
 * contiguously, so moving whole chunks and rewriting 'stco'/'co64' leaves every sample, its size, timing, flags and
 * sample description untouched.
 *
 * @param chunkOffset [chunks] byte offset in the input file
 * @param chunkBytes  [chunks] bytes (sum of the chunk's sample sizes)
 * @param chunkTime   [chunks] decode time of the chunk's first sample, seconds (used only to interleave)
 * @param offsets     the 'stco' or 'co64' box to replace
 */
record SourceTrack(Box trak, int id, String handler, long[] chunkOffset, long[] chunkBytes, double[] chunkTime,
                   Box offsets) {

    /** Reads the tables of {@code trak} in {@code moov}; IllegalArgumentException naming the problem. */
    static SourceTrack parse(byte[] m, Box trak) {
        Box tkhd = trak.find(m, "tkhd");
        int id = (int) Box.u32(m, tkhd.body() + (m[tkhd.body()] == 1 ? 20 : 12));
        Box mdia = trak.find(m, "mdia");
        String handler = handler(m, trak);
        Box mdhd = mdia.find(m, "mdhd");
        long timescale = Box.u32(m, mdhd.body() + (m[mdhd.body()] == 1 ? 20 : 12));
        Box stbl = mdia.find(m, "minf/stbl");
        if (stbl.child(m, "stz2") != null) {
            throw new IllegalArgumentException("track " + id + " uses compact sample sizes ('stz2'), not supported");
        }
        int[] sizes = sampleSizes(m, stbl.find(m, "stsz"), id);
        Box offsets = stbl.child(m, "stco");
        boolean wide = offsets == null;
        if (wide) offsets = stbl.child(m, "co64");
        if (offsets == null) throw new IllegalArgumentException("track " + id + " has no 'stco'/'co64' box");
        int chunks = count(m, offsets, wide ? 8 : 4, id);
        long[] chunkOffset = new long[chunks];
        for (int c = 0; c < chunks; c++) {
            int at = offsets.body() + 8 + c * (wide ? 8 : 4);
            chunkOffset[c] = wide ? Box.s64(m, at) : Box.u32(m, at);
        }
        int[] firstSample = new int[chunks];
        long[] chunkBytes = chunkBytes(m, stbl.find(m, "stsc"), sizes, firstSample, id);
        long[] dts = firstDts(m, stbl.find(m, "stts"), firstSample, sizes.length, id);
        double[] chunkTime = new double[chunks];
        for (int c = 0; c < chunks; c++) chunkTime[c] = (double) dts[c] / Math.max(1, timescale);
        return new SourceTrack(trak, id, handler, chunkOffset, chunkBytes, chunkTime, offsets);
    }

    /** The 'hdlr' handler type of {@code trak}: vide, soun, text, tmcd... */
    static String handler(byte[] m, Box trak) {
        return Box.fourcc(m, trak.find(m, "mdia/hdlr").body() + 8);
    }

    boolean isVideo() { return handler.equals("vide"); }

    /** Entry count of a full box whose entries of {@code entryBytes} follow the count; checked against the box size. */
    private static int count(byte[] m, Box box, int entryBytes, int id) {
        long n = Box.u32(m, box.body() + 4);
        if (8 + n * entryBytes > box.bodySize()) {
            throw new IllegalArgumentException("track " + id + ": '" + box.type() + "' declares " + n
                    + " entries but holds " + (box.bodySize() - 8) / entryBytes);
        }
        return (int) n;
    }

    private static int[] sampleSizes(byte[] m, Box stsz, int id) {
        long fixed = Box.u32(m, stsz.body() + 4);
        long n = Box.u32(m, stsz.body() + 8);
        if (fixed == 0 && 12 + n * 4 > stsz.bodySize() || n > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("track " + id + ": 'stsz' declares " + n + " samples but holds "
                    + (stsz.bodySize() - 12) / 4);
        }
        int[] s = new int[(int) n];
        for (int i = 0; i < n; i++) {
            s[i] = (int) (fixed != 0 ? fixed : Box.u32(m, stsz.body() + 12 + 4 * i));
        }
        return s;
    }

    /** Bytes per chunk from 'stsc' and the sample sizes; {@code firstSample[c]} receives chunk c's first sample. */
    private static long[] chunkBytes(byte[] m, Box stsc, int[] sizes, int[] firstSample, int id) {
        int entries = count(m, stsc, 12, id), chunks = firstSample.length;
        long[] bytes = new long[chunks];
        int s = 0;
        for (int e = 0; e < entries; e++) {
            int at = stsc.body() + 8 + 12 * e;
            long first = Box.u32(m, at) - 1, perChunk = Box.u32(m, at + 4);
            long next = e + 1 < entries ? Box.u32(m, at + 12) - 1 : chunks;
            if (first < 0 || e == 0 && first != 0 || next > chunks || next <= first) {
                throw new IllegalArgumentException("track " + id + ": 'stsc' entry " + e + " names chunks "
                        + (first + 1) + ".." + next + " of " + chunks);
            }
            for (int c = (int) first; c < next; c++) {
                firstSample[c] = s;
                for (long k = 0; k < perChunk; k++, s++) {
                    if (s >= sizes.length) {
                        throw new IllegalArgumentException("track " + id + ": 'stsc' places more samples than the "
                                + sizes.length + " in 'stsz'");
                    }
                    bytes[c] += sizes[s];
                }
            }
        }
        if (s != sizes.length) {
            throw new IllegalArgumentException("track " + id + ": 'stsc'/'stco' place " + s + " of " + sizes.length
                    + " samples");
        }
        return bytes;
    }

    /** Decode time (track ticks) of each chunk's first sample, from 'stts'. */
    private static long[] firstDts(byte[] m, Box stts, int[] firstSample, int samples, int id) {
        int entries = count(m, stts, 8, id);
        long[] dts = new long[firstSample.length];
        int c = 0;
        long t = 0, s = 0;
        for (int e = 0; e < entries; e++) {
            long n = Box.u32(m, stts.body() + 8 + 8 * e), delta = Box.u32(m, stts.body() + 12 + 8 * e);
            while (c < dts.length && firstSample[c] < s + n) {
                dts[c] = t + (firstSample[c] - s) * delta;
                c++;
            }
            s += n;
            t += n * delta;
        }
        while (c < dts.length) dts[c++] = t;   // chunks past the table (malformed stts): keep them last
        if (s < samples) {
            throw new IllegalArgumentException("track " + id + ": 'stts' covers " + s + " of " + samples + " samples");
        }
        return dts;
    }
}
