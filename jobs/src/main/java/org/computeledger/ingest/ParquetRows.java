package org.computeledger.ingest;

import java.io.IOException;
import java.io.Reader;
import java.util.ArrayList;
import java.util.List;
import org.apache.commons.csv.CSVFormat;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.parquet.HadoopReadOptions;
import org.apache.parquet.column.page.PageReadStore;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.convert.GroupRecordConverter;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.metadata.BlockMetaData;
import org.apache.parquet.hadoop.util.HadoopInputFile;
import org.apache.parquet.io.ColumnIOFactory;
import org.apache.parquet.io.MessageColumnIO;
import org.apache.parquet.io.RecordReader;
import org.apache.parquet.schema.MessageType;

/**
 * A Parquet bill as the CSV text of {@link ParquetText}, read one row group at a time so that a file
 * damaged mid-body (a corrupt page, a row group cut short) loses only what cannot be read: the rest of
 * the row group from the damage on is recorded as a {@link Damage}, and reading goes on with the next row
 * group. Page checksums are verified where the writer wrote them (parquet-mr writes a CRC per page by
 * default; a flipped byte in a page would otherwise decode as a different value). parquet-mr checks them,
 * and reads every page header, when it loads a row group, so such damage loses the whole row group; damage
 * that shows only while decoding (a page without a checksum) keeps the rows before it, except the one being
 * assembled when parquet-mr read ahead into the damaged page. The parser sees the readable rows as consecutive lines; {@link #shifted} puts the
 * lines it names back at their row's place in the file (row N is line N + 1), so that a row after a
 * damaged range keeps its own line number.
 */
final class ParquetRows extends Reader {
  private static final CSVFormat CSV = CSVFormat.RFC4180.builder().setRecordSeparator("\n").build();
  /** parquet-mr's switch for verifying page CRCs on read (ParquetInputFormat.PAGE_VERIFY_CHECKSUM_ENABLED). */
  static final String VERIFY_CHECKSUM = "parquet.page.verify-checksum.enabled";

  /** Rows {@code firstRow..lastRow} (0-based, inclusive) of row group {@code rowGroup} (0-based) could not be read. */
  record Damage(int rowGroup, int rowGroups, long firstRow, long lastRow, String reason) {
    long firstLine() {
      return firstRow + 2;
    }

    long lastLine() {
      return lastRow + 2;
    }

    long rows() {
      return lastRow - firstRow + 1;
    }

    /** The quarantine reason of each row of the range. */
    String describe() {
      return "Parquet row group " + (rowGroup + 1) + " of " + rowGroups + " damaged: rows " + (firstRow + 1) + "-"
          + (lastRow + 1) + " of the file (lines " + firstLine() + "-" + lastLine() + ") cannot be read: " + reason
          + "; the rows before and after them were read";
    }
  }

  private final ParquetFileReader file;
  private final MessageType schema;
  private final MessageColumnIO columns;
  private final List<BlockMetaData> groups;
  private final List<Damage> damages = new ArrayList<>();
  /** (first text line shifted, rows skipped before it), in order. */
  private final List<long[]> gaps = new ArrayList<>();
  private final StringBuilder pending = new StringBuilder();
  private int pos;
  private int nextGroup;
  private RecordReader<Group> records;
  private long groupStart;
  private long groupRows;
  private long rowInGroup;
  private long fileRow;
  private long textLines;
  private boolean headerDone;
  private boolean eof;

  /** Opens the file's footer; an unreadable footer or schema throws (the whole file is then unreadable). */
  ParquetRows(Configuration conf, Path path) throws IOException {
    Configuration c = new Configuration(conf);
    if (c.get(VERIFY_CHECKSUM) == null) {
      c.setBoolean(VERIFY_CHECKSUM, true);
    }
    file = ParquetFileReader.open(HadoopInputFile.fromPath(path, c), HadoopReadOptions.builder(c, path).build());
    try {
      schema = file.getFooter().getFileMetaData().getSchema();
      columns = new ColumnIOFactory(file.getFooter().getFileMetaData().getCreatedBy()).getColumnIO(schema);
      groups = file.getRowGroups();
    } catch (RuntimeException e) {
      file.close();
      throw e;
    }
  }

  /** The ranges of rows that could not be read so far (all of them once the text is read to its end). */
  List<Damage> damages() {
    return damages;
  }

  /** The line of the file that line {@code textLine} of the text is. */
  long fileLine(long textLine) {
    long line = textLine;
    for (long[] g : gaps) {
      if (g[0] <= textLine) {
        line += g[1];
      }
    }
    return line;
  }

  /** {@code sink} with every line a parser names moved back to its row's line in the file. */
  RowSink shifted(RowSink sink) {
    return new RowSink() {
      @Override
      public Object[] newRow() {
        return sink.newRow();
      }

      @Override
      public void emit(long line, Object[] row) {
        sink.emit(fileLine(line), row);
      }

      @Override
      public void recordAccepted() {
        sink.recordAccepted();
      }

      @Override
      public void quarantine(long line, String reason, String raw) {
        sink.quarantine(fileLine(line), reason, raw);
      }

      @Override
      public void ignore(long line) {
        sink.ignore(fileLine(line));
      }

      @Override
      public void staleMarker(long line) {
        sink.staleMarker(fileLine(line));
      }
    };
  }

  @Override
  public int read(char[] buf, int off, int len) throws IOException {
    while (pos >= pending.length()) {
      if (eof) {
        return -1;
      }
      pending.setLength(0);
      pos = 0;
      if (!headerDone) {
        headerDone = true;
        // a file with rows has its header line even when none of them can be read (a file without rows has no text)
        if (groups.stream().anyMatch(b -> b.getRowCount() > 0)) {
          List<String> names = new ArrayList<>();
          ParquetText.columnNames("", schema, names);
          pending.append(CSV.format(names.toArray())).append('\n');
          textLines++;
          continue;
        }
      }
      Group g = nextRow();
      if (g == null) {
        eof = true;
        continue;
      }
      List<String> values = new ArrayList<>();
      ParquetText.values(g, values);
      pending.append(CSV.format(values.toArray())).append('\n');
      textLines++;
    }
    int n = Math.min(len, pending.length() - pos);
    pending.getChars(pos, pos + n, buf, off);
    pos += n;
    return n;
  }

  /** The next readable row, recording the damaged ranges passed on the way; null at the end of the file. */
  private Group nextRow() {
    while (true) {
      if (records != null && rowInGroup < groupRows) {
        try {
          Group g = records.read();
          rowInGroup++;
          fileRow++;
          return g;
        } catch (RuntimeException e) {
          skipRestOfGroup(e);
          continue;
        }
      }
      records = null;
      if (nextGroup >= groups.size()) {
        return null;
      }
      int k = nextGroup++;
      groupStart = fileRow;
      groupRows = groups.get(k).getRowCount();
      rowInGroup = 0;
      try {
        PageReadStore pages = file.readRowGroup(k);
        if (pages == null) {
          throw new IOException("row group " + (k + 1) + " is missing");
        }
        records = columns.getRecordReader(pages, new GroupRecordConverter(schema));
      } catch (IOException | RuntimeException e) {
        skipRestOfGroup(e);
      }
    }
  }

  private void skipRestOfGroup(Exception e) {
    long skipped = groupRows - rowInGroup;
    if (skipped > 0) {
      damages.add(new Damage(nextGroup - 1, groups.size(), fileRow, groupStart + groupRows - 1,
          FileParseTask.oneLine(e)));
      // the header (line 1) is written before any row is read, so the next text line is the row after the range
      gaps.add(new long[] {textLines + 1, skipped});
      fileRow += skipped;
    }
    rowInGroup = groupRows;
    records = null;
  }

  @Override
  public void close() throws IOException {
    file.close();
  }
}
