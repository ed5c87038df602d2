package example.analytics

import scala.io.Source
import scala.util.Using

/** Word frequency statistics over text files. */
object WordCount {
  final case class Stats(total: Int, distinct: Int, top: Seq[(String, Int)])

  private val Word = "[\\p{L}']+".r

  def tokenize(text: String): Iterator[String] =
    Word.findAllIn(text.toLowerCase).filter(_.length > 1)

  def count(words: Iterator[String]): Map[String, Int] =
    words.foldLeft(Map.empty[String, Int]) { (acc, w) => acc.updated(w, acc.getOrElse(w, 0) + 1) }

  def stats(counts: Map[String, Int], topN: Int): Stats =
    Stats(counts.values.sum, counts.size, counts.toSeq.sortBy { case (w, c) => (-c, w) }.take(topN))

  def fromFile(path: String, topN: Int = 10): Stats =
    Using.resource(Source.fromFile(path)) { source =>
      stats(count(tokenize(source.mkString)), topN)
    }

  def main(args: Array[String]): Unit = {
    val result = fromFile(args.headOption.getOrElse("README.md"))
    println(s"${result.total} words, ${result.distinct} distinct")
    result.top.foreach { case (word, n) => println(f"$word%-20s $n%6d") }
  }
}
