Rails.application.routes.draw do
  root "results#index"
  post "/jobs", to: "jobs#create"
  get "/results/:id", to: "results#show"
end
