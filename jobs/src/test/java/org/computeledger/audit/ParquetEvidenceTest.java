package org.computeledger.audit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.TreeMap;
import org.computeledger.ingest.EvidenceText;
import org.computeledger.ingest.FormatParser;
import org.computeledger.ingest.Formats;
import org.computeledger.ingest.IngestParams;
import org.computeledger.ingest.InputFile;
import org.computeledger.ingest.ParquetBillsTestAccess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A bill exported as Parquet (AWS CUR 2.0) gives its evidence as the CSV text the ingest parsed of its rows
 * (header line 1, row N line N + 1), marked as such, with the stored file's SHA-256; the copied lines parse
 * again into the row the whole file gave.
 */
class ParquetEvidenceTest {
  @TempDir
  Path dir;

  @Test
  void aParquetBillsRowIsCopiedAsTheCsvLineTheIngestReadAndParsesAgainIntoItsRow() throws Exception {
    Path in = Files.createDirectories(dir.resolve("in/billing"));
    Path parquet = in.resolve("cur2-00001.snappy.parquet");
    ParquetBillsTestAccess.writeCur2Parquet(Path.of(getClass().getResource("/fixtures/billing/aws-cur2-export.csv").toURI()),
        parquet);
    FormatParser parser = Formats.byId("aws-cur");
    ObjectNode entry = new ObjectMapper().createObjectNode();
    entry.put("format", "aws-cur");
    entry.put("sha256", InputCheck.sha256(parquet));
    List<ObjectNode> copied = AuditSample.copyEvidence(dir.resolve("in"), "billing/cur2-00001.snappy.parquet", entry,
        IngestParams.defaults(), (line, row) -> line == 3);

    List<String> csv;
    try (BufferedReader r = new BufferedReader(EvidenceText.openParquet(parquet))) {
      csv = r.lines().toList();
    }
    assertEquals(2, copied.size(), "the header as context and the row as evidence");
    assertEquals(csv.get(0), copied.get(0).path("text").asText());
    assertEquals("context", copied.get(0).path("role").asText());
    assertEquals(3, copied.get(1).path("line").asLong());
    assertEquals(csv.get(2), copied.get(1).path("text").asText());
    assertEquals("parquet rows as CSV", copied.get(1).path("text_of").asText());
    assertEquals(InputCheck.sha256(parquet), copied.get(1).path("sha256").asText());

    InputFile file = new InputFile("billing/cur2-00001.snappy.parquet", "billing", IngestParams.defaults());
    RawLines.Collecting whole = new RawLines.Collecting(parser.table());
    parser.parse(file, EvidenceText.openParquet(parquet), whole);
    TreeMap<Long, String> lines = new TreeMap<>();
    copied.forEach(n -> lines.put(n.path("line").asLong(), n.path("text").asText()));
    List<RawLines.Parsed> again = RawLines.reparse(parser, file, lines);
    assertEquals(1, again.size());
    assertEquals(3, again.get(0).line());
    RawLines.Parsed original = whole.rows.stream().filter(p -> p.line() == 3).findFirst().orElseThrow();
    assertArrayEquals(original.row(), again.get(0).row());
  }
}
