# Monthly sales report: load transactions, summarise by region, plot the trend.
library(dplyr)
library(ggplot2)

DATA_FILE <- "data/transactions.csv"
CURRENCY <- "EUR"

load_transactions <- function(path = DATA_FILE) {
  raw <- read.csv(path, stringsAsFactors = FALSE)
  raw$date <- as.Date(raw$date)
  raw$month <- format(raw$date, "%Y-%m")
  raw
}

summarise_by_region <- function(transactions) {
  transactions %>%
    group_by(region, month) %>%
    summarise(revenue = sum(amount), orders = n(), .groups = "drop") %>%
    arrange(region, month)
}

plot_trend <- function(summary) {
  ggplot(summary, aes(x = month, y = revenue, group = region, colour = region)) +
    geom_line() +
    labs(title = "Monthly revenue by region", y = paste("Revenue", CURRENCY))
}

report <- function() {
  summary <- summarise_by_region(load_transactions())
  print(summary)
  ggsave("revenue.png", plot_trend(summary), width = 8, height = 4)
}

report()
