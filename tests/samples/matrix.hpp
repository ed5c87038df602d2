#pragma once

#include <cstddef>
#include <stdexcept>
#include <vector>

namespace linalg {

// A dense row-major matrix of doubles.
class Matrix {
public:
    Matrix(std::size_t rows, std::size_t cols) : rows_(rows), cols_(cols), data_(rows * cols) {}

    double &operator()(std::size_t r, std::size_t c) { return data_[r * cols_ + c]; }
    double operator()(std::size_t r, std::size_t c) const { return data_[r * cols_ + c]; }

    std::size_t rows() const { return rows_; }
    std::size_t cols() const { return cols_; }

    static Matrix identity(std::size_t n) {
        Matrix m(n, n);
        for (std::size_t i = 0; i < n; ++i) m(i, i) = 1.0;
        return m;
    }

private:
    std::size_t rows_, cols_;
    std::vector<double> data_;
};

inline Matrix multiply(const Matrix &a, const Matrix &b) {
    if (a.cols() != b.rows()) throw std::invalid_argument("shape mismatch");
    Matrix out(a.rows(), b.cols());
    for (std::size_t i = 0; i < a.rows(); ++i)
        for (std::size_t k = 0; k < a.cols(); ++k)
            for (std::size_t j = 0; j < b.cols(); ++j) out(i, j) += a(i, k) * b(k, j);
    return out;
}

template <typename F>
Matrix map(const Matrix &m, F f) {
    Matrix out(m.rows(), m.cols());
    for (std::size_t i = 0; i < m.rows(); ++i)
        for (std::size_t j = 0; j < m.cols(); ++j) out(i, j) = f(m(i, j));
    return out;
}

}  // namespace linalg
