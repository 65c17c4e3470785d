package io.foley4j.pipeline.mux;

import io.foley4j.pipeline.video.VideoException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

/**
 * The input video's structure: its 'ftyp' and 'moov' boxes in memory and the tracks to copy (all but sound).
 * Every problem is a {@link VideoException} naming the file.
 */
record Source(Path file, byte[] ftyp, byte[] m, Box moovBox, List<SourceTrack> kept, int nextTrackId) {
    /** Top-level box types that may start an MP4/MOV file. */
    private static final Set<String> FIRST = Set.of("ftyp", "moov", "mdat", "free", "skip", "wide", "pnot", "uuid",
            "meta", "styp");
    private static final long MAX_BOX = Mp4Mux.MAX_MOOV;

    static Source read(Path file) {
        if (!Files.isRegularFile(file)) throw new VideoException(file, "no such file");
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            return read(file, ch);
        } catch (IOException e) {
            throw new VideoException(file, "cannot read", e);
        }
    }

    private static Source read(Path file, FileChannel ch) throws IOException {
        long size = ch.size();
        if (size == 0) throw new VideoException(file, "empty file (0 bytes)");
        byte[] ftyp = new byte[0], moov = null;
        ByteBuffer h = ByteBuffer.allocate(16);
        long pos = 0;
        while (pos < size) {
            if (size - pos < 8) {
                throw new VideoException(file, "truncated: " + (size - pos) + " stray bytes after the last box at " + pos);
            }
            readFully(file, ch, h.clear().limit((int) Math.min(16, size - pos)), pos);
            long boxSize = Integer.toUnsignedLong(h.getInt(0));
            String type = Box.fourcc(h.array(), 4);
            int header = 8;
            if (boxSize == 1) {
                if (h.limit() < 16) throw new VideoException(file, "truncated in the header of box '" + type + "'");
                boxSize = h.getLong(8);
                header = 16;
            } else if (boxSize == 0) {
                boxSize = size - pos;   // extends to the end of the file
            }
            if (pos == 0 && (!FIRST.contains(type) || boxSize < 8)) {
                throw new VideoException(file, "not an MP4/MOV file (starts with \"" + type + "\")");
            }
            if (boxSize < header) throw new VideoException(file, "box '" + type + "' at byte " + pos + " has size " + boxSize);
            if (boxSize > size - pos) {
                throw new VideoException(file, "truncated: box '" + type + "' at byte " + pos + " declares " + boxSize
                        + " bytes, the file has " + (size - pos) + " left");
            }
            if (type.equals("moof")) throw new VideoException(file, "fragmented MP4 ('moof') is not supported");
            if (type.equals("ftyp") || type.equals("moov")) {
                if (boxSize > MAX_BOX) throw new VideoException(file, "'" + type + "' box of " + boxSize + " bytes is too large");
                byte[] b = new byte[(int) boxSize];
                readFully(file, ch, ByteBuffer.wrap(b), pos);
                if (header == 16) {       // rewrite as a 32-bit box: same body, 8 bytes shorter
                    byte[] s = new byte[b.length - 8];
                    System.arraycopy(b, 16, s, 8, b.length - 16);
                    System.arraycopy(b, 4, s, 4, 4);
                    Box.put32(s, 0, s.length);
                    b = s;
                }
                if (type.equals("ftyp")) ftyp = b;
                else if (moov == null) moov = b;
            }
            pos += boxSize;
        }
        if (moov == null) throw new VideoException(file, "no 'moov' box: not an MP4/MOV file, or truncated before its index");
        return parseMoov(file, size, ftyp, moov);
    }

    private static Source parseMoov(Path file, long fileSize, byte[] ftyp, byte[] m) {
        Box moov = new Box("moov", 0, 8, m.length);
        List<SourceTrack> kept = new ArrayList<>();
        long maxId = 0;
        try {
            if (moov.child(m, "mvex") != null) throw new VideoException(file, "fragmented MP4 ('mvex') is not supported");
            moov.find(m, "mvhd");
            for (Box b : moov.children(m)) {
                if (!b.type().equals("trak") || SourceTrack.handler(m, b).equals("soun")) continue;
                SourceTrack t = SourceTrack.parse(m, b);
                maxId = Math.max(maxId, Integer.toUnsignedLong(t.id()));
                kept.add(t);
            }
        } catch (IllegalArgumentException | IndexOutOfBoundsException e) {
            throw new VideoException(file, "malformed MP4 index: " + e.getMessage());
        }
        if (kept.stream().noneMatch(SourceTrack::isVideo)) {
            throw new VideoException(file, "no video track (audio-only or empty file)");
        }
        for (SourceTrack t : kept) {
            for (int c = 0; c < t.chunkOffset().length; c++) {
                long from = t.chunkOffset()[c], to = from + t.chunkBytes()[c];
                if (from < 0 || to > fileSize) {
                    throw new VideoException(file, "track " + t.id() + " chunk " + c + " lies outside the file (bytes "
                            + from + ".." + to + " of " + fileSize + "): truncated file?");
                }
            }
        }
        if (maxId >= 0xFFFFFFFFL) throw new VideoException(file, "no free track id");
        return new Source(file, ftyp, m, moov, kept, (int) (maxId + 1));
    }

    /** The output 'moov': kept tracks with {@code offsets[t]}, the audio track with {@code offsets[kept.size()]}. */
    byte[] moov(long[][] offsets, PcmTrack pcm, boolean co64) {
        Box mvhd = moovBox.find(m, "mvhd");
        boolean v1 = m[mvhd.body()] == 1;
        long timescale = Box.u32(m, mvhd.body() + (v1 ? 20 : 12));
        long duration = v1 ? Box.s64(m, mvhd.body() + 24) : Box.u32(m, mvhd.body() + 16);
        long audioTicks = (long) Math.ceil((double) pcm.frames() * timescale / pcm.sampleRate());
        byte[] head = Arrays.copyOfRange(m, mvhd.start(), mvhd.end());
        int body = mvhd.body() - mvhd.start();
        if (v1) Box.put64(head, body + 24, Math.max(duration, audioTicks));
        else Box.put32(head, body + 16, Math.min(0xFFFFFFFFL, Math.max(duration, audioTicks)));
        Box.put32(head, head.length - 4, Integer.toUnsignedLong(pcm.id()) + 1);   // next_track_ID

        Box.Writer w = new Box.Writer().open("moov");
        List<Box> children = moovBox.children(m);
        int lastTrak = -1;
        for (int i = 0; i < children.size(); i++) {
            if (children.get(i).type().equals("trak")) lastTrak = i;
        }
        for (int i = 0; i < children.size(); i++) {
            Box b = children.get(i);
            if (b.start() == mvhd.start()) {
                w.bytes(head);
            } else if (b.type().equals("trak")) {
                for (int t = 0; t < kept.size(); t++) {
                    if (kept.get(t).trak().start() == b.start()) emit(w, b, kept.get(t).offsets(), offsets[t], co64);
                }
            } else {
                w.bytes(m, b.start(), b.end());
            }
            if (i == lastTrak) w.bytes(pcm.trak(audioTicks, offsets[kept.size()], co64));
        }
        return w.close().toByteArray();
    }

    /** Copies {@code b}, replacing the chunk offset box {@code target} inside it. */
    private void emit(Box.Writer w, Box b, Box target, long[] offsets, boolean co64) {
        if (b.start() == target.start()) {
            w.offsets(offsets, co64);
        } else if (b.start() < target.start() && target.end() <= b.end()) {
            w.open(b.type());   // trak, mdia, minf, stbl: plain containers
            for (Box c : b.children(m)) emit(w, c, target, offsets, co64);
            w.close();
        } else {
            w.bytes(m, b.start(), b.end());
        }
    }

    private static void readFully(Path file, FileChannel ch, ByteBuffer b, long pos) throws IOException {
        long at = pos;
        while (b.hasRemaining()) {
            int n = ch.read(b, at);
            if (n < 0) throw new VideoException(file, "unexpected end of file at byte " + at);
            at += n;
        }
    }
}
