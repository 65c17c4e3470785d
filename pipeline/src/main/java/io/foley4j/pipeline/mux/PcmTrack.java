package io.foley4j.pipeline.mux;

import static java.nio.charset.StandardCharsets.US_ASCII;

/**
 * The added audio track: 16-bit little-endian PCM in a QuickTime 'sowt' sample entry (version 0 sound description,
 * which has the layout of an ISO AudioSampleEntry). One MP4 sample is one audio frame (all channels of one instant):
 * 'stts' counts frames at the sample rate, 'stsz' has the fixed size channels * 2, and chunks of
 * {@code framesPerChunk} frames are interleaved with the video chunks. ffmpeg's mov/mp4 demuxer reads 'sowt' as
 * pcm_s16le in .mp4 and .mov alike; JCodec's MP4Demuxer reads it as PCM.
 */
record PcmTrack(int id, int sampleRate, int channels, long frames, int framesPerChunk) {
    /** The sound description stores the rate as unsigned 16.16 fixed point. */
    static final int MAX_RATE = 65535;

    int chunks() {
        return (int) ((frames + framesPerChunk - 1) / framesPerChunk);
    }

    long chunkBytes(int c) {
        long first = (long) c * framesPerChunk;
        return Math.min(framesPerChunk, frames - first) * channels * 2;
    }

    double chunkTime(int c) {
        return (double) c * framesPerChunk / sampleRate;
    }

    /** The 'trak' box; {@code movieDuration} is this track's length in movie-timescale ticks. */
    byte[] trak(long movieDuration, long[] chunkOffset, boolean co64) {
        Box.Writer w = new Box.Writer();
        w.open("trak");
        w.openFull("tkhd", 0, 7)   // enabled, in movie, in preview
                .u32(0).u32(0).u32(id).u32(0).u32(Math.min(movieDuration, 0xFFFFFFFFL))
                .zeros(8).u16(0).u16(1)          // layer 0, alternate group 1 (audio)
                .u16(0x0100).u16(0)              // volume 1.0
                .u32(0x10000).u32(0).u32(0).u32(0).u32(0x10000).u32(0).u32(0).u32(0).u32(0x40000000) // identity
                .u32(0).u32(0)                   // width, height
                .close();
        w.open("mdia");
        w.openFull("mdhd", 0, 0).u32(0).u32(0).u32(sampleRate).u32(frames)
                .u16(((('u' - 0x60) << 10) | (('n' - 0x60) << 5) | ('d' - 0x60))).u16(0).close();  // language "und"
        w.openFull("hdlr", 0, 0).u32(0).bytes("soun".getBytes(US_ASCII))
                .zeros(12).bytes("SoundHandler\0".getBytes(US_ASCII)).close();
        w.open("minf");
        w.openFull("smhd", 0, 0).u16(0).u16(0).close();
        w.open("dinf").openFull("dref", 0, 0).u32(1).openFull("url ", 0, 1).close().close().close();  // self-contained
        w.open("stbl");
        w.openFull("stsd", 0, 0).u32(1);
        w.open("sowt").zeros(6).u16(1)           // reserved, data reference 1
                .u16(0).u16(0).u32(0)            // version 0, revision, vendor
                .u16(channels).u16(16).u16(0).u16(0)   // channels, bits, compression id, packet size
                .u32((long) sampleRate << 16)
                .close();
        w.close();
        w.openFull("stts", 0, 0).u32(1).u32(frames).u32(1).close();
        int chunks = chunks();
        long last = frames - (long) (chunks - 1) * framesPerChunk;
        w.openFull("stsc", 0, 0);
        if (last == framesPerChunk || chunks == 1) {
            w.u32(1).u32(1).u32(last).u32(1);
        } else {
            w.u32(2).u32(1).u32(framesPerChunk).u32(1).u32(chunks).u32(last).u32(1);
        }
        w.close();
        w.openFull("stsz", 0, 0).u32(channels * 2L).u32(frames).close();
        w.offsets(chunkOffset, co64);
        w.close().close().close().close();   // stbl, minf, mdia, trak
        return w.toByteArray();
    }
}
