package org.computeledger.ingest;

import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.catalyst.expressions.GenericRow;
import org.computeledger.schema.Table;
import scala.collection.JavaConverters;

/**
 * Executor side of ingest: reads one input file (given as a row of path, display path, folder and
 * format) in order, hands it to its parser and returns the envelope rows: accepted rows, quarantined
 * records, and one summary with the file's SHA-256 and counts. Parsers push rows; Spark pulls them,
 * so a producer thread parses ahead into a small bounded queue of batches and a file never has to
 * fit in memory.
 */
final class FileParseTask implements FlatMapFunction<Row, Row> {
  private static final long serialVersionUID = 1L;
  private static final int BATCH = 2048;
  private static final int QUEUE_BATCHES = 8;

  private final Table table;
  private final IngestParams params;
  private final HadoopConf hadoopConf;

  FileParseTask(Table table, IngestParams params, HadoopConf hadoopConf) {
    this.table = table;
    this.params = params;
    this.hadoopConf = hadoopConf;
  }

  private org.apache.hadoop.conf.Configuration conf() {
    return hadoopConf.get();
  }

  @Override
  public Iterator<Row> call(Row task) {
    String path = task.getString(0);
    String display = task.getString(1);
    String folder = task.getString(2);
    FormatParser parser = Formats.byId(task.getString(3));
    ParsingIterator it = new ParsingIterator(path, new InputFile(display, folder, params, modifiedMillis(path)), parser);
    if (task.length() > 4) {
      it.start = task.getLong(4);
      it.end = task.getLong(5);
      it.split = task.getInt(6);
    }
    return it;
  }

  /** The file's modification time, only when raw scrapes may be dated by it (one more call to the file system). */
  private long modifiedMillis(String path) {
    if (params == null || !params.scrapeTimeFromMtime()) {
      return -1L;
    }
    Path p = new Path(path);
    try {
      return p.getFileSystem(conf()).getFileStatus(p).getModificationTime();
    } catch (IOException e) {
      throw new InputFileException(path + ": cannot read the modification time: " + oneLine(e), e);
    }
  }

  private final class ParsingIterator implements Iterator<Row> {
    private final String path;
    private final InputFile file;
    private final FormatParser parser;
    private final BlockingQueue<Object> queue = new ArrayBlockingQueue<>(QUEUE_BATCHES);
    private Thread producer;
    private List<Row> current = List.of();
    private int pos;
    private boolean done;
    /** The byte range and its index for a part of a split file ({@link LineSplits}); WHOLE by default. */
    long start;
    long end = Long.MAX_VALUE;
    int split = LineSplits.WHOLE;

    ParsingIterator(String path, InputFile file, FormatParser parser) {
      this.path = path;
      this.file = file;
      this.parser = parser;
    }

    @Override
    public boolean hasNext() {
      if (producer == null) {
        start();
      }
      while (pos >= current.size()) {
        if (done) {
          return false;
        }
        Object next;
        try {
          next = queue.take();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException("interrupted while reading " + file.path(), e);
        }
        if (next instanceof Failure f) {
          done = true;
          throw f.error;
        }
        @SuppressWarnings("unchecked")
        List<Row> batch = (List<Row>) next;
        if (batch.isEmpty()) {
          done = true;
          return false;
        }
        current = batch;
        pos = 0;
      }
      return true;
    }

    @Override
    public Row next() {
      if (!hasNext()) {
        throw new NoSuchElementException();
      }
      return current.get(pos++);
    }

    private void start() {
      producer = new Thread(this::produce, "ledger-parse " + file.path());
      producer.setDaemon(true);
      TaskContext ctx = TaskContext.get();
      if (ctx != null) {
        ctx.addTaskCompletionListener((org.apache.spark.util.TaskCompletionListener) c -> producer.interrupt());
      }
      producer.start();
    }

    private void produce() {
      try {
        EnvelopeSink sink = new EnvelopeSink(table, file, parser.format(), queue, split);
        if (split != LineSplits.WHOLE) {
          produceSplit(this, sink);
          queue.put(List.of());
          return;
        }
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        Path p = new Path(path);
        long bytes;
        String damage;
        String parquetDamage = null;
        try (InputText.Counting counted = new InputText.Counting(
                new DigestInputStream(p.getFileSystem(conf()).open(p), sha))) {
          java.io.BufferedInputStream stored = new java.io.BufferedInputStream(counted, 1 << 16);
          stored.mark(8);
          boolean parquet = ParquetText.isParquet(stored);
          stored.reset();
          InputText.Decompressed decompressed = InputText.open(stored);
          if (parquet) {
            // Parquet is read by its own reader (it seeks to the footer); the stored bytes are still hashed below
            ParquetRows reader = null;
            try {
              reader = ParquetText.csv(conf(), p);
            } catch (IOException | RuntimeException e) {
              sink.quarantine(1, "Parquet file cannot be read (no valid footer or schema): " + oneLine(e), "");
            }
            if (reader != null) {
              try (ParquetRows r = reader) {
                parser.parse(file, r, r.shifted(sink));
              }
              parquetDamage = sink.parquetDamaged(reader.damages());
            }
          } else if (parser instanceof PrometheusParser prometheus) {
            // telemetry runs to billions of lines: read from bytes, each sample's lines merged into one row
            MergingSink merging = new MergingSink(sink);
            ByteLines lines = new ByteLines(decompressed, parser.maxLineChars(), parser.endsEveryLine());
            lines.skipByteOrderMark();
            prometheus.parse(file, lines, 1, Long.MAX_VALUE, merging);
            merging.flush();
          } else {
            Reader reader = InputText.text(decompressed, parser.maxLineChars(), parser.endsEveryLine());
            parser.parse(file, reader, sink);
          }
          // hash the whole file as stored, even where a parser stopped early or the stream was damaged
          byte[] skip = new byte[1 << 16];
          while (counted.read(skip) >= 0) {
            // draining
          }
          bytes = counted.count;
          damage = decompressed.damage() == null ? parquetDamage
              : "gzip stream damaged at stored byte " + decompressed.damageOffset() + " of " + bytes + ": "
                  + decompressed.damage();
          if (decompressed.damage() != null) {
            sink.damaged(damage, decompressed.droppedTail());
          }
        } catch (IOException | RuntimeException e) {
          throw new InputFileException(file.path() + ": cannot be read: " + oneLine(e), e);
        }
        sink.finish(hex(sha.digest()), bytes, damage);
        queue.put(List.of());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } catch (RuntimeException | NoSuchAlgorithmException e) {
        try {
          RuntimeException r = e instanceof RuntimeException re ? re : new IllegalStateException(e);
          queue.put(new Failure(r));
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
        }
      }
    }
  }

  /**
   * One task of a split file: its hash (the whole file as stored, read sequentially), or the lines
   * that start in its byte range, numbered from 1 (the driver adds the lines before the range).
   */
  private void produceSplit(ParsingIterator it, EnvelopeSink sink) {
    Path p = new Path(it.path);
    try {
      FileSystem fs = p.getFileSystem(conf());
      if (it.split == LineSplits.HASH) {
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        long bytes = 0;
        byte[] buf = new byte[1 << 20];
        try (InputStream in = fs.open(p)) {
          for (int n; (n = in.read(buf)) >= 0; ) {
            sha.update(buf, 0, n);
            bytes += n;
          }
        }
        sink.finish(hex(sha.digest()), bytes, null);
        return;
      }
      PrometheusParser prometheus = (PrometheusParser) it.parser;
      try (org.apache.hadoop.fs.FSDataInputStream in = fs.open(p, 1 << 16)) {
        long first = LineSplits.seekLineStart(in, it.start);
        MergingSink merging = new MergingSink(sink);
        ByteLines lines = new ByteLines(in, prometheus.maxLineChars(), prometheus.endsEveryLine());
        if (it.start == 0) {
          lines.skipByteOrderMark();
        }
        // the lines before the range, read only if a sample in it needs the scrape time they may set
        PrometheusParser.Before before = it.start == 0 ? null : comments -> {
          try (InputStream prior = fs.open(p, 1 << 16)) {
            ByteLines head = new ByteLines(prior, prometheus.maxLineChars(), prometheus.endsEveryLine());
            head.skipByteOrderMark();
            head.read(1, first, comments);
          }
        };
        long last = prometheus.parse(it.file, lines, 1, it.end - first, merging, before);
        merging.flush();
        sink.linesRead(last);
      }
      sink.finish(null, 0, null);
    } catch (IOException | RuntimeException | NoSuchAlgorithmException e) {
      throw new InputFileException(it.file.path() + ": cannot be read: " + oneLine(e), e);
    }
  }

  static String oneLine(Throwable e) {
    String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    return m.replace('\n', ' ');
  }

  private record Failure(RuntimeException error) {}

  private static String hex(byte[] b) {
    StringBuilder sb = new StringBuilder(b.length * 2);
    for (byte x : b) {
      sb.append(Character.forDigit((x >> 4) & 0xF, 16)).append(Character.forDigit(x & 0xF, 16));
    }
    return sb.toString();
  }

  /** Builds envelope rows in batches and tallies the file's counts. */
  static final class EnvelopeSink implements RowSink {
    private final Table table;
    private final InputFile file;
    private final String format;
    private final BlockingQueue<Object> queue;
    private final int width;
    private final int envWidth;
    private final int iSourceFile;
    private final int iSourceLine;
    private final int iSourceFormat;
    private final int[] mapColumns;
    private List<Row> batch = new ArrayList<>(BATCH);
    private long maxLine;
    private long accepted;
    private long quarantined;
    private long ignored;
    private long stale;
    private long rows;

    private final Integer split;

    EnvelopeSink(Table table, InputFile file, String format, BlockingQueue<Object> queue) {
      this(table, file, format, queue, LineSplits.WHOLE);
    }

    EnvelopeSink(Table table, InputFile file, String format, BlockingQueue<Object> queue, int split) {
      this.split = split == LineSplits.WHOLE ? null : split;
      this.table = table;
      this.file = file;
      this.format = format;
      this.queue = queue;
      this.width = table.width();
      this.envWidth = width + Envelope.EXTRA.length;
      this.iSourceFile = table.index("source_file");
      this.iSourceLine = table.index("source_line");
      this.iSourceFormat = table.schema().getFieldIndex("source_format").isDefined()
          ? table.index("source_format") : -1;
      this.mapColumns = java.util.stream.IntStream.range(0, width)
          .filter(i -> table.schema().fields()[i].dataType() instanceof org.apache.spark.sql.types.MapType)
          .toArray();
    }

    @Override
    public Object[] newRow() {
      return new Object[envWidth];
    }

    @Override
    public void emit(long line, Object[] row) {
      Object[] values = row.length == envWidth ? row : java.util.Arrays.copyOf(row, envWidth);
      values[iSourceFile] = file.path();
      values[iSourceLine] = line;
      if (iSourceFormat >= 0) {
        values[iSourceFormat] = format;
      }
      for (int i : mapColumns) {
        if (values[i] instanceof Map<?, ?> m) {
          values[i] = JavaConverters.mapAsScalaMap(m);
        }
      }
      values[width] = Envelope.KIND_ROW;
      values[width + 1] = format;
      values[width + 14] = split;
      rows++;
      seen(line);
      add(new GenericRow(values));
    }

    /**
     * A row merged from {@code records} input lines ({@link MergingSink}), the first of them its
     * source line; counted as that many rows, as the lines would have been one by one.
     */
    void emitMerged(long firstLine, long lastLine, Object[] row, long records) {
      Object[] values = row.length == envWidth ? row : java.util.Arrays.copyOf(row, envWidth);
      values[width + 13] = records;
      emit(firstLine, values);
      rows += records - 1;
      seen(lastLine);
    }

    @Override
    public void recordAccepted() {
      accepted++;
    }

    @Override
    public void quarantine(long line, String reason, String raw) {
      Object[] values = new Object[envWidth];
      values[iSourceFile] = file.path();
      values[iSourceLine] = line;
      values[width] = Envelope.KIND_QUARANTINE;
      values[width + 1] = format;
      values[width + 2] = Plausibility.reasonForQuarantine(reason);
      values[width + 3] = Plausibility.rawForQuarantine(raw);
      values[width + 14] = split;
      quarantined++;
      seen(line);
      add(new GenericRow(values));
    }

    @Override
    public void ignore(long line) {
      ignored++;
      seen(line);
    }

    @Override
    public void staleMarker(long line) {
      stale++;
      ignore(line);
    }

    /** The lines a range read, blank and unused ones included (its summary's line count). */
    void linesRead(long lines) {
      seen(lines);
    }

    private void seen(long line) {
      if (line > maxLine) {
        maxLine = line;
      }
    }

    private void add(Row r) {
      batch.add(r);
      if (batch.size() >= BATCH) {
        flush();
      }
    }

    private void flush() {
      if (batch.isEmpty()) {
        return;
      }
      try {
        queue.put(batch);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while parsing " + file.path(), e);
      }
      batch = new ArrayList<>(BATCH);
    }

    /**
     * The one quarantine record of a damaged compressed file, at the line after the last complete
     * line read: where the damage is, and the partial line that was held back (not parsed).
     */
    void damaged(String damage, byte[] droppedTail) {
      long line = maxLine + 1;
      quarantine(line, damage + "; the " + maxLine + " complete line(s) before it were read, the "
          + droppedTail.length + " byte(s) after the last line break were not",
          new String(droppedTail, StandardCharsets.UTF_8));
    }

    /**
     * The rows of damaged Parquet row groups ({@link ParquetRows}): each row that could not be read is one
     * quarantine record at its own line, so that the file's lines still add up; the reason names the row
     * group and the range. Returns the manifest's one-line summary of the damage, null when there is none.
     */
    String parquetDamaged(List<ParquetRows.Damage> damages) {
      if (damages.isEmpty()) {
        return null;
      }
      long lost = 0;
      for (ParquetRows.Damage d : damages) {
        String reason = d.describe();
        for (long line = d.firstLine(); line <= d.lastLine(); line++) {
          quarantine(line, reason, "");
        }
        lost += d.rows();
      }
      return "Parquet: " + lost + " row(s) in " + damages.size() + " damaged row group range(s) quarantined, the first "
          + damages.get(0).describe();
    }

    void finish(String sha256, long bytes, String damage) {
      Object[] values = new Object[envWidth];
      values[iSourceFile] = file.path();
      values[width] = Envelope.KIND_SUMMARY;
      values[width + 1] = format;
      values[width + 4] = sha256;
      values[width + 5] = bytes;
      values[width + 6] = maxLine;
      values[width + 7] = accepted;
      values[width + 8] = quarantined;
      values[width + 9] = ignored;
      values[width + 10] = rows;
      values[width + 11] = damage;
      values[width + 12] = stale;
      values[width + 14] = split;
      add(new GenericRow(values));
      flush();
    }
  }
}
