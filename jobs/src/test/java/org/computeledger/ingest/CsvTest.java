package org.computeledger.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import org.computeledger.schema.Table;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class CsvTest {

  /** Reads text with a handler that accepts every record except those whose first field is "bad". */
  private static CollectingSink read(String text) {
    CollectingSink sink = new CollectingSink(Table.CHARGES);
    try {
      Csv.read(new StringReader(text), sink, c -> {
        if (c.text(0).equals("bad")) {
          sink.quarantine(c.line(), "bad", c.raw());
        } else {
          sink.emit(c.line(), sink.newRow());
          sink.recordAccepted();
        }
      });
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return sink;
  }

  private static long accounted(CollectingSink sink) {
    return sink.accepted + sink.rejected.size() + sink.ignored;
  }

  @Test
  void recordSpanningThreeLinesCountsOnceAndItsOtherLinesAreIgnored() {
    CollectingSink sink = read("a,b\n1,\"x\ny\nz\"\n3,4\n");
    assertEquals(List.of(1L, 2L, 5L), sink.rowLines);
    assertEquals(3, sink.accepted);
    assertEquals(2, sink.ignored);
    assertEquals(5, accounted(sink));
  }

  @Test
  void quarantinedMultiLineRecordCarriesAllItsLinesAsRead() {
    CollectingSink sink = read("a,b\r\nbad,\"x\r\ny\"\r\n3,4\r\n");
    assertEquals(1, sink.rejected.size());
    assertEquals(2, sink.rejected.get(0).line());
    assertEquals("bad,\"x\r\ny\"", sink.rejected.get(0).raw());
    assertEquals(List.of(1L, 4L), sink.rowLines);
  }

  @Test
  void blankLinesAreIgnored() {
    CollectingSink sink = read("a,b\n\n1,2\n\n");
    assertEquals(List.of(1L, 3L), sink.rowLines);
    assertEquals(2, sink.ignored);
  }

  @Test
  void lastLineWithoutLineBreakIsRead() {
    CollectingSink sink = read("a,b\nbad,2");
    assertEquals(2, sink.rejected.get(0).line());
    assertEquals("bad,2", sink.rejected.get(0).raw());
  }

  @Test
  void strayQuoteQuarantinesItsLineAndReadingGoesOn() {
    CollectingSink sink = read("a,b\n1,\"x\"y,3\n5,6\n7,8\n");
    assertEquals(1, sink.rejected.size());
    CollectingSink.Rejected r = sink.rejected.get(0);
    assertEquals(2, r.line());
    assertTrue(r.reason().startsWith("malformed CSV record: "), r.reason());
    assertEquals("1,\"x\"y,3", r.raw());
    assertEquals(List.of(1L, 3L, 4L), sink.rowLines);
    assertEquals(4, accounted(sink));
  }

  @Test
  void quoteLeftOpenToTheEndQuarantinesTheRestOfTheFileOnce() {
    CollectingSink sink = read("a,b\n1,2\n3,\"open\n5,6\n7,8\n");
    assertEquals(List.of(1L, 2L), sink.rowLines);
    assertEquals(1, sink.rejected.size());
    assertEquals(3, sink.rejected.get(0).line());
    assertEquals("3,\"open\n5,6\n7,8", sink.rejected.get(0).raw());
    assertEquals(5, accounted(sink));
  }

  @Test
  void rawTextSurvivesLongFiles() {
    StringBuilder sb = new StringBuilder("a,b\n");
    for (int i = 0; i < 50_000; i++) {
      sb.append(i).append(",x\n");
    }
    sb.append("bad,\"last\"\n");
    CollectingSink sink = read(sb.toString());
    assertEquals(50_001, sink.accepted);
    assertEquals(50_002, sink.rejected.get(0).line());
    assertEquals("bad,\"last\"", sink.rejected.get(0).raw());
  }

  @ParameterizedTest
  @CsvSource({
    "2024-09-18 22:00:00, 2024-09-18T22:00:00Z",
    "2024-09-18T22:00:00Z, 2024-09-18T22:00:00Z",
    "2023-11-01T00:00:00.000Z, 2023-11-01T00:00:00Z",
    "2024-09-19T00:00:00+02:00, 2024-09-18T22:00:00Z",
    "2024-09-18T17:30:00-0430, 2024-09-18T22:00:00Z",
    "2024-09-19T03:00+05, 2024-09-18T22:00:00Z",
    "2024-02-29T12:00:00.123456789Z, 2024-02-29T12:00:00.123456789Z",
  })
  void readsIsoTimesAsUtc(String text, String expected) {
    assertEquals(Instant.parse(expected), Csv.instant(text, false));
  }

  @ParameterizedTest
  @ValueSource(strings = {
    "2024-13-45 00:00:00", "2023-02-29T00:00:00Z", "2024-09-18T24:00:00Z", "2024-09-18",
    "2024/09/18 22:00:00", "2024-09-18T22:00:00 UTC", "2024-09-18T22:00:00+2", "18.09.2024 22:00",
    "2024-09-18T22:00:00.Z"
  })
  void rejectsTimesThatAreNotIso(String text) {
    assertNull(Csv.instant(text, false));
  }

  @Test
  void zonelessTimeIsRejectedWhereAZoneIsRequired() {
    assertNull(Csv.instant("2026-03-02T10:00:00", true));
  }

  @Test
  void moneyKeepsEveryDigitThroughDecimal() {
    Csv.Fields f = new Csv.Fields(IngestParams.defaults());
    assertEquals(new BigDecimal("0.000000400000"), f.money("x", "4.0E-7", true));
    assertEquals(new BigDecimal("-2.613700000000"), f.money("x", "-2.61370000000", true));
    assertEquals(new BigDecimal("12345678901234567890123456.123456789012"),
        f.money("x", "12345678901234567890123456.123456789012", true));
    assertTrue(f.ok());
  }

  @Test
  void moneyBeyondDecimal38With12DecimalsIsRejected() {
    Csv.Fields f = new Csv.Fields(IngestParams.defaults());
    assertNull(f.money("cost", "123456789012345678901234567", true));
    assertEquals("field cost: expected a decimal number within DECIMAL(38,12), '123456789012345678901234567'",
        f.error());
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "-", ".", "1e", "1.2.3", "1 ", "0x10", "1d", "NaN", "--1", "1e+"})
  void decimalSyntaxIsStrict(String text) {
    assertFalse(Csv.isDecimal(text));
  }

  @Test
  void firstBadFieldIsTheOneReported() {
    Csv.Fields f = new Csv.Fields(IngestParams.defaults());
    f.money("BilledCost", "abc", true);
    f.time("ChargePeriodStart", "never", false);
    assertEquals("field BilledCost: expected a decimal number within DECIMAL(38,12), 'abc'", f.error());
  }

  @Test
  void headerNamesIgnoreQuotesCaseAndByteOrderMark() {
    assertEquals(List.of("billedcost", "chargeperiodstart"),
        Csv.headerNames(List.of("", "\uFEFF\"BilledCost\", ChargePeriodStart")));
  }
}
