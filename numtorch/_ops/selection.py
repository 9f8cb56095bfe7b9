"""Which of several equal elements torch's CPU selection kernels pick.

topk runs libstdc++'s ``std::nth_element``/``std::sort``/``std::partial_sort`` on (value, index) pairs,
kthvalue runs torch's own median-of-three quickselect and mode runs ``std::sort``. None of these is
stable, so among equal values the index torch reports depends on the algorithm's exact sequence of
swaps. A row whose answer does not depend on ties is computed vectorised by the callers; only rows with
ties are replayed here, on integer ranks where torch's comparators rank NaN above every number.
The algorithms are inherently sequential per row, so each replay is a tight scalar loop.
"""
import operator

import numpy as np

_THRESHOLD = 16  # libstdc++'s introsort cut-over to insertion sort


def ranks(row):
    """Dense integer ranks of a 1-D array, every NaN sharing the top rank."""
    return np.unique(row, return_inverse=True, equal_nan=True)[1].reshape(-1).tolist()


# ---------------------------------------------------------------------------------------- libstdc++

def _lg(n):
    return n.bit_length() - 1


def _insertion_sort(v, ix, first, last, comp):
    for i in range(first + 1, last):
        val, vi = v[i], ix[i]
        if comp(val, v[first]):
            v[first + 1:i + 1], ix[first + 1:i + 1] = v[first:i], ix[first:i]
            v[first], ix[first] = val, vi
        else:
            j = i
            while comp(val, v[j - 1]):
                v[j], ix[j] = v[j - 1], ix[j - 1]
                j -= 1
            v[j], ix[j] = val, vi


def _unguarded_insertion_sort(v, ix, first, last, comp):
    for i in range(first, last):
        val, vi = v[i], ix[i]
        j = i
        while comp(val, v[j - 1]):
            v[j], ix[j] = v[j - 1], ix[j - 1]
            j -= 1
        v[j], ix[j] = val, vi


def _swap(v, ix, a, b):
    v[a], v[b] = v[b], v[a]
    ix[a], ix[b] = ix[b], ix[a]


def _move_median_to_first(v, ix, result, a, b, c, comp):
    if comp(v[a], v[b]):
        if comp(v[b], v[c]):
            _swap(v, ix, result, b)
        elif comp(v[a], v[c]):
            _swap(v, ix, result, c)
        else:
            _swap(v, ix, result, a)
    elif comp(v[a], v[c]):
        _swap(v, ix, result, a)
    elif comp(v[b], v[c]):
        _swap(v, ix, result, c)
    else:
        _swap(v, ix, result, b)


def _partition_pivot(v, ix, first, last, comp):
    _move_median_to_first(v, ix, first, first + 1, first + (last - first) // 2, last - 1, comp)
    pivot = v[first]
    lo, hi = first + 1, last
    while True:
        while comp(v[lo], pivot):
            lo += 1
        hi -= 1
        while comp(pivot, v[hi]):
            hi -= 1
        if not lo < hi:
            return lo
        _swap(v, ix, lo, hi)
        lo += 1


def _adjust_heap(v, ix, first, hole, length, val, vi, comp):
    top = hole
    child = hole
    while child < (length - 1) // 2:
        child = 2 * (child + 1)
        if comp(v[first + child], v[first + child - 1]):
            child -= 1
        v[first + hole], ix[first + hole] = v[first + child], ix[first + child]
        hole = child
    if length % 2 == 0 and child == (length - 2) // 2:
        child = 2 * (child + 1)
        v[first + hole], ix[first + hole] = v[first + child - 1], ix[first + child - 1]
        hole = child - 1
    parent = (hole - 1) // 2
    while hole > top and comp(v[first + parent], val):
        v[first + hole], ix[first + hole] = v[first + parent], ix[first + parent]
        hole = parent
        parent = (hole - 1) // 2
    v[first + hole], ix[first + hole] = val, vi


def _pop_heap(v, ix, first, last, result, comp):
    val, vi = v[result], ix[result]
    v[result], ix[result] = v[first], ix[first]
    _adjust_heap(v, ix, first, 0, last - first, val, vi, comp)


def _heap_select(v, ix, first, middle, last, comp):
    length = middle - first
    if length >= 2:
        parent = (length - 2) // 2
        while True:
            _adjust_heap(v, ix, first, parent, length, v[first + parent], ix[first + parent], comp)
            if parent == 0:
                break
            parent -= 1
    for i in range(middle, last):
        if comp(v[i], v[first]):
            _pop_heap(v, ix, first, middle, i, comp)


def _sort_heap(v, ix, first, last, comp):
    while last - first > 1:
        last -= 1
        _pop_heap(v, ix, first, last, last, comp)


def partial_sort(v, ix, first, middle, last, comp):
    """``std::partial_sort``."""
    _heap_select(v, ix, first, middle, last, comp)
    _sort_heap(v, ix, first, middle, comp)


def _introsort_loop(v, ix, first, last, depth, comp):
    while last - first > _THRESHOLD:
        if depth == 0:
            partial_sort(v, ix, first, last, last, comp)
            return
        depth -= 1
        cut = _partition_pivot(v, ix, first, last, comp)
        _introsort_loop(v, ix, cut, last, depth, comp)
        last = cut


def sort(v, ix, first, last, comp):
    """``std::sort``."""
    if last - first < 2:
        return
    _introsort_loop(v, ix, first, last, _lg(last - first) * 2, comp)
    if last - first > _THRESHOLD:
        _insertion_sort(v, ix, first, first + _THRESHOLD, comp)
        _unguarded_insertion_sort(v, ix, first + _THRESHOLD, last, comp)
    else:
        _insertion_sort(v, ix, first, last, comp)


def nth_element(v, ix, nth, comp):
    """``std::nth_element`` over the whole row."""
    first, last = 0, len(v)
    if first == last or nth == last:
        return
    depth = _lg(last - first) * 2
    while last - first > 3:
        if depth == 0:
            _heap_select(v, ix, first, nth + 1, last, comp)
            _swap(v, ix, first, nth)
            return
        depth -= 1
        cut = _partition_pivot(v, ix, first, last, comp)
        if cut <= nth:
            first = cut
        else:
            last = cut
    _insertion_sort(v, ix, first, last, comp)


# ---------------------------------------------------------------------------------------- torch kernels

def topk_row(row, k, largest, sorted_):
    """The indices torch's CPU topk returns for one row."""
    v = ranks(row)
    ix = list(range(len(v)))
    comp = operator.gt if largest else operator.lt
    if k * 64 <= len(v):
        partial_sort(v, ix, 0, k, len(v), comp)
    else:
        nth_element(v, ix, k - 1, comp)
        if sorted_:
            sort(v, ix, 0, k - 1, comp)
    return ix[:k]


def quickselect_row(row, k):
    """The index torch's quickselect (kthvalue) leaves at position ``k`` of one row."""
    v = ranks(row)
    ix = list(range(len(v)))
    gt = operator.gt
    lo, hi = 0, len(v) - 1
    while True:
        if hi <= lo:
            return ix[k]
        if hi == lo + 1:
            if gt(v[lo], v[hi]):
                _swap(v, ix, lo, hi)
            return ix[k]
        mid = lo + (hi - lo) // 2
        _swap(v, ix, mid, lo + 1)
        if gt(v[lo + 1], v[hi]):
            _swap(v, ix, lo + 1, hi)
        if gt(v[lo], v[hi]):
            _swap(v, ix, lo, hi)
        if gt(v[lo + 1], v[lo]):
            _swap(v, ix, lo + 1, lo)
        i, j = lo + 1, hi
        piv = v[lo]
        while True:
            i += 1
            while gt(piv, v[i]):
                i += 1
            j -= 1
            while gt(v[j], piv):
                j -= 1
            if j < i:
                break
            _swap(v, ix, i, j)
        _swap(v, ix, lo, j)
        if j <= k:
            lo = i
        if j >= k:
            hi = j - 1


def mode_row(row):
    """The index torch's CPU mode reports for one row: the last of the modal run after ``std::sort``."""
    # Raw values, not ranks: torch compares with a plain ``<`` and ``!=``, so each NaN is its own run
    # and NaNs scramble the sort exactly as they do in C++.
    v = row.tolist()
    ix = list(range(len(v)))
    sort(v, ix, 0, len(v), operator.lt)
    best, best_i, run = 0, 0, 0
    for i in range(len(v)):
        run += 1
        if i == len(v) - 1 or v[i] != v[i + 1]:
            if run > best:
                best, best_i = run, ix[i]
            run = 0
    return best_i
