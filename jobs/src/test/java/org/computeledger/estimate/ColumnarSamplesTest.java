package org.computeledger.estimate;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import org.apache.parquet.column.Dictionary;
import org.apache.parquet.column.Encoding;
import org.apache.parquet.io.api.Binary;
import org.apache.spark.sql.execution.datasources.parquet.ParquetDictionary;
import org.apache.spark.sql.execution.vectorized.OnHeapColumnVector;
import org.apache.spark.sql.types.DataTypes;
import org.junit.jupiter.api.Test;

class ColumnarSamplesTest {
  @Test
  void aPlainColumnIsReadInPlaceNotCopiedPerBatch() {
    OnHeapColumnVector d = new OnHeapColumnVector(8, DataTypes.DoubleType);
    OnHeapColumnVector t = new OnHeapColumnVector(8, DataTypes.TimestampType);
    OnHeapColumnVector i = new OnHeapColumnVector(8, DataTypes.IntegerType);
    for (int r = 0; r < 5; r++) {
      d.putDouble(r, r * 1.5);
      t.putLong(r, 1_000_000L * r);
      i.putInt(r, 7 - r);
    }
    double[] a = ColumnarSamples.doubles(d, 5);
    assertSame(a, ColumnarSamples.doubles(d, 5), "the vector's own array, the same for every read");
    assertSame(ColumnarSamples.longs(t, 5), ColumnarSamples.longs(t, 5));
    assertSame(ColumnarSamples.ints(i, 5), ColumnarSamples.ints(i, 5));
    for (int r = 0; r < 5; r++) {
      assertEquals(r * 1.5, a[r]);
      assertEquals(1_000_000L * r, ColumnarSamples.longs(t, 5)[r]);
      assertEquals(7 - r, ColumnarSamples.ints(i, 5)[r]);
    }
    // the reader fills the same vector for the next batch: what a read sees is that batch's values
    d.reset();
    d.putDouble(0, 42.0);
    assertEquals(42.0, ColumnarSamples.doubles(d, 1)[0]);
  }

  @Test
  void aDictionaryEncodedColumnIsDecoded() {
    double[] entries = {0.25, 99.5};
    Dictionary dict = new Dictionary(Encoding.PLAIN_DICTIONARY) {
      @Override
      public int getMaxId() {
        return entries.length - 1;
      }

      @Override
      public double decodeToDouble(int id) {
        return entries[id];
      }

      @Override
      public Binary decodeToBinary(int id) {
        throw new UnsupportedOperationException();
      }
    };
    OnHeapColumnVector d = new OnHeapColumnVector(4, DataTypes.DoubleType);
    d.setDictionary(new ParquetDictionary(dict, false));
    OnHeapColumnVector ids = (OnHeapColumnVector) d.reserveDictionaryIds(4);
    int[] which = {1, 0, 1, 1};
    for (int r = 0; r < 4; r++) {
      ids.putInt(r, which[r]);
    }
    assertArrayEquals(new double[] {99.5, 0.25, 99.5, 99.5}, ColumnarSamples.doubles(d, 4));
  }
}
