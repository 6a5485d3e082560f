// The only way Boost.MSM is included in tcpsim (and only by model/endpoint.cc).
//
// RFC 9293's table has more rows than Boost 1.74's MPL allows in a sequence
// (50 with BOOST_MPL_CFG_NO_PREPROCESSED_HEADERS, 20 without). MPL ships the
// numbered vector templates up to vector50; the ones above are generated here
// from MPL's own pattern (boost/mpl/vector/aux_/numbered.hpp), after which the
// variadic mpl::vector accepts up to TCPSIM_MPL_VECTOR_MAX types
// (model/table_limits.h).
#pragma once

#include <type_traits>

#include "model/table_limits.h"

// The order of these lines is the point: clang-format leaves them alone.
// clang-format off

#define BOOST_MPL_CFG_NO_PREPROCESSED_HEADERS
#define BOOST_BIND_GLOBAL_PLACEHOLDERS
#define BOOST_ALLOW_DEPRECATED_HEADERS
#define BOOST_MPL_LIMIT_VECTOR_SIZE TCPSIM_MPL_VECTOR_MAX
#define BOOST_MPL_LIMIT_MAP_SIZE 50
#define BOOST_MPL_LIMIT_SET_SIZE 50

#include <boost/mpl/vector/vector50.hpp>
#include <boost/preprocessor/iterate.hpp>

namespace boost {
namespace mpl {
#define BOOST_PP_ITERATION_PARAMS_1 (3, (51, TCPSIM_MPL_VECTOR_MAX, <boost/mpl/vector/aux_/numbered.hpp>))
#include BOOST_PP_ITERATE()
}  // namespace mpl
}  // namespace boost

#define BOOST_MPL_PREPROCESSING_MODE
#include <boost/mpl/vector.hpp>
#undef BOOST_MPL_PREPROCESSING_MODE

#include <boost/msm/back/state_machine.hpp>
#include <boost/msm/front/functor_row.hpp>
#include <boost/msm/front/state_machine_def.hpp>
// clang-format on

namespace tcpsim::model::fsm {

// The table's rows as an MPL vector, counted first: one row too many gives
// the message below instead of pages of errors from inside MPL (the vector is
// then left empty so that nothing else is instantiated with too many rows).
template <bool fits, class... Rows>
struct RowsVector {
  using type = boost::mpl::vector<Rows...>;
};
template <class... Rows>
struct RowsVector<false, Rows...> {
  using type = boost::mpl::vector<>;
};
template <class... Rows>
struct TableRows : RowsVector<(sizeof...(Rows) <= TCPSIM_MPL_VECTOR_MAX), Rows...>::type {
  static_assert(sizeof...(Rows) <= TCPSIM_MPL_VECTOR_MAX,
                "tcpsim: the transition table has more rows than TCPSIM_MPL_VECTOR_MAX; "
                "raise it in model/table_limits.h (it costs compile time, see there)");
  static constexpr int count = sizeof...(Rows);
  // The index of the one row whose action names `Rule` (-1: none, or more
  // than one), counted at compile time: rule ids need no run-time setup.
  template <class Rule>
  static constexpr int id_of() {
    constexpr bool match[] = {std::is_same_v<typename Rows::Action::rule, Rule>...};
    int found = -1;
    for (int i = 0; i < count; ++i) {
      if (!match[i]) continue;
      if (found >= 0) return -1;
      found = i;
    }
    return found;
  }
};

}  // namespace tcpsim::model::fsm
